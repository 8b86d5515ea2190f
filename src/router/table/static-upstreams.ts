import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RoutingPolicy } from '../../core/domain/model.js';
import { ConfigError } from '../../core/errors.js';
import { describeZodError } from '../zod-issue.js';

/** The catch-all model name: requests for any unknown model go to its upstreams (the lite single-upstream case). */
export const WILDCARD_MODEL = '*';

/** An upstream's base URL: http(s), no credentials, query or fragment; a path is a prefix for every request. */
export const UpstreamUrl = z
  .string()
  .max(2048)
  .transform((raw, ctx) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${raw}" is not a URL` });
      return z.NEVER;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `"${raw}" must be http:// or https://` });
      return z.NEVER;
    }
    if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') {
      ctx.addIssue({ code: 'custom', message: `"${raw}" must not carry credentials, a query or a fragment` });
      return z.NEVER;
    }
    return { origin: u.origin, basePath: u.pathname.replace(/\/+$/, '') };
  });
export type UpstreamUrl = z.output<typeof UpstreamUrl>;

const ModelName = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => s === WILDCARD_MODEL || /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/.test(s), 'invalid model name');

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);

const UpstreamEntry = z.union([
  z.array(UpstreamUrl).min(1),
  z
    .object({
      urls: z.array(UpstreamUrl).min(1),
      policy: RoutingPolicy.optional(),
      /** The name the engine serves the model under, when it differs (the body's `model` is rewritten). */
      served_model_name: z.string().min(1).max(200).optional(),
      /** Sent as `Authorization: Bearer ...` to the upstream (for engines started with an API key). */
      api_key: z.string().min(1).max(1024).optional(),
      /** Environment variable holding that key (kept out of the file). */
      api_key_env: EnvName.optional(),
    })
    .strict(),
]);

/** The static upstreams document: `model -> [urls]` or `model -> { urls, policy, ... }`, optionally under `models:`. */
export const StaticUpstreamsDoc = z.record(ModelName, UpstreamEntry);

/** One statically configured model. */
export interface StaticModel {
  name: string;
  targets: UpstreamUrl[];
  policy?: RoutingPolicy | undefined;
  servedName?: string | undefined;
  /** Full `Authorization` header value for the upstream, if any. */
  authorization?: string | undefined;
}

/** Validates a parsed static upstreams document. `env` resolves `api_key_env`. */
export function parseStaticUpstreams(
  doc: unknown,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): StaticModel[] {
  if (doc === null || doc === undefined) return [];
  let body = doc;
  if (typeof doc === 'object' && !Array.isArray(doc)) {
    const keys = Object.keys(doc);
    const inner = (doc as Record<string, unknown>)['models'];
    if (keys.length === 1 && inner !== null && typeof inner === 'object' && !Array.isArray(inner))
      body = inner;
  }
  const parsed = StaticUpstreamsDoc.safeParse(body);
  if (!parsed.success) {
    throw new ConfigError(`${source}: ${describeZodError(parsed.error)}`);
  }
  const out: StaticModel[] = [];
  for (const [name, entry] of Object.entries(parsed.data)) {
    if (Array.isArray(entry)) {
      out.push({ name, targets: entry });
      continue;
    }
    let key = entry.api_key;
    if (entry.api_key_env !== undefined) {
      key = env[entry.api_key_env];
      if (key === undefined || key === '')
        throw new ConfigError(`${source}: ${name}: ${entry.api_key_env} is not set`);
    }
    out.push({
      name,
      targets: entry.urls,
      policy: entry.policy,
      servedName: entry.served_model_name,
      authorization: key === undefined ? undefined : `Bearer ${key}`,
    });
  }
  return out;
}

/** Reads a YAML or JSON static upstreams file. */
export function loadStaticUpstreamsFile(path: string, env: NodeJS.ProcessEnv = process.env): StaticModel[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read static upstreams file ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `static upstreams file ${path} is not YAML/JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return parseStaticUpstreams(doc, `static upstreams file ${path}`, env);
}

/**
 * The lite single-upstream case (seed 003: "upstream address from the environment"): `NEBULA_UPSTREAM_URL`
 * (comma-separated for several) serving `NEBULA_UPSTREAM_MODEL`, or every model when that is unset.
 */
export function upstreamFromEnv(url: string | undefined, model: string | undefined): StaticModel[] {
  if (url === undefined || url.trim() === '') return [];
  const urls = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const name = model !== undefined && model.trim() !== '' ? model.trim() : WILDCARD_MODEL;
  return parseStaticUpstreams({ [name]: urls }, 'NEBULA_UPSTREAM_URL');
}
