import { z } from 'zod';
import { RoutingPolicy } from '../core/domain/model.js';
import { MIB } from '../core/domain/common.js';
import { DEFAULT_PREFIX_AWARE } from './balancers/prefix-aware.js';
import { DEFAULT_PREFIX_HASH } from './balancers/prefix-hash.js';
import { buildTokenTable } from './auth/static-tokens.js';
import type { StaticModel } from './table/static-upstreams.js';

const Port = z.number().int().min(0).max(65535);

/** Options of `startRouter` (the CLI fills them from flags and NEBULA_* variables). */
export const RouterOptions = z
  .object({
    host: z.string().min(1).default('0.0.0.0'),
    /** HTTP port (0 = any free port). */
    port: Port.default(8000),
    /** gRPC port (0 = any free port, null = no gRPC listener). */
    grpcPort: Port.nullable().default(8001),
    /** Static tokens file (YAML/JSON list of { token | sha256, name, rate_limit }). */
    tokensFile: z.string().min(1).optional(),
    /** Static tokens given directly (same shape as the file), added to the file's. */
    tokens: z.unknown().optional(),
    /** Static upstreams file (YAML/JSON: model -> [urls] or { urls, policy, served_model_name, api_key }). */
    staticUpstreamsFile: z.string().min(1).optional(),
    /** Static upstreams given directly (already parsed, e.g. from NEBULA_UPSTREAM_URL). */
    staticUpstreams: z.custom<StaticModel[]>((v) => Array.isArray(v)).optional(),
    /** Default routing policy for models whose spec names none. */
    policy: RoutingPolicy.default('least-outstanding'),
    /** Accept requests without a key (local use only). */
    noAuth: z.boolean().default(false),
    /** Default per-key rate (requests/s); undefined = unlimited unless the key has its own. */
    rateLimitRps: z.number().positive().optional(),
    rateLimitBurst: z.number().int().positive().optional(),
    /** Longest login session accepted (`exp - iat`, seconds) whatever the token says (default 12 h). */
    maxSessionTtlS: z
      .number()
      .int()
      .min(60)
      .max(30 * 86400)
      .optional(),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(32 * MIB),
    /** Extra attempts on other replicas after a failure before the first byte. */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /** How long a replica that refused a connection is avoided (ms). */
    ejectMs: z.number().int().min(0).default(2000),
    /** Retry-After (s) with 503 when a model has no ready replica. */
    retryAfterS: z.number().int().min(1).default(5),
    /** Requests held per idle (autoscaled) model while it wakes; the next one gets 503 + Retry-After. */
    holdMax: z.number().int().min(0).max(100_000).default(256),
    /** Longest a request is held for an idle model to wake (ms). */
    holdTimeoutMs: z.number().int().min(1000).max(3_600_000).default(300_000),
    /** How often the router publishes its per-model load for the autoscaler (ms, 0 = never). */
    loadPublishMs: z.number().int().min(0).max(600_000).default(2000),
    /** Engine /metrics scrape period (ms, 0 = off). */
    scrapeIntervalMs: z.number().int().min(0).default(1500),
    connectTimeoutMs: z.number().int().positive().default(3000),
    /**
     * Default first-byte timeout (ms): request sent -> first byte of the response body. A non-streamed answer
     * arrives whole, so this bounds prefill + queueing + the whole generation: 10 min, as the OpenAI SDK's
     * own request timeout, so the router never gives up before a default client would. A model's spec
     * (`proxy_timeouts.first_byte`) overrides it.
     */
    firstByteTimeoutMs: z.number().int().positive().optional(),
    /**
     * Default idle timeout (ms): longest silence between two pieces of a response once its body started.
     * Engines stream a token every few ms, so 60 s of silence mid-answer is a hung engine. A model's spec
     * (`proxy_timeouts.idle`) overrides it.
     */
    idleTimeoutMs: z.number().int().positive().optional(),
    /** Old single setting for both (ms); the two above win where given. */
    upstreamTimeoutMs: z.number().int().positive().optional(),
    keepAliveTimeoutMs: z.number().int().positive().default(30_000),
    /** Prefix-aware routing: characters per block and blocks hashed. */
    prefixBlockChars: z.number().int().positive().default(DEFAULT_PREFIX_HASH.blockChars),
    prefixMaxBlocks: z.number().int().positive().max(1024).default(DEFAULT_PREFIX_HASH.maxBlocks),
    prefixTableSize: z.number().int().positive().default(DEFAULT_PREFIX_AWARE.tableSize),
    /** Component registration: instance id (default host-port) and the address others reach us at. */
    instanceId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,128}$/)
      .optional(),
    advertiseAddress: z.string().min(1).optional(),
    /** Register under /components/router/{id} with a lease (only with a store). */
    register: z.boolean().default(true),
    registrationTtlS: z.number().int().min(2).default(15),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.tokens !== undefined) {
      try {
        buildTokenTable(o.tokens, 'tokens');
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['tokens'],
          message: err instanceof Error ? err.message : String(err),
        });
      }
    }
  });
export type RouterOptionsInput = z.input<typeof RouterOptions>;
export type RouterOptions = z.output<typeof RouterOptions>;
