import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { describeZodError } from '../zod-issue.js';
import { sha256Hex } from '../../core/ids.js';
import { RateInput } from '../../core/rate.js';
import { toRateLimit, type Principal } from './principal.js';

/** Requests per second as a number, or the shared rate grammar ("60/min", "10/s:burst=20") or { rps, burst }. */
const RateLimitInput = z.union([z.number().positive(), RateInput]);

const TokenEntry = z
  .object({
    token: z.string().min(8, 'a token must be at least 8 characters').max(512).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be 64 hex characters')
      .optional(),
    name: z.string().min(1).max(100),
    rate_limit: RateLimitInput.optional(),
  })
  .strict()
  .refine(
    (e) => (e.token === undefined) !== (e.sha256 === undefined),
    'give exactly one of "token" or "sha256"',
  );

/** The tokens file: a list of entries, or `{ tokens: [...] }`. YAML or JSON. */
export const TokensFile = z.union([z.array(TokenEntry), z.object({ tokens: z.array(TokenEntry) }).strict()]);
export type TokensFileInput = z.input<typeof TokensFile>;

/** sha256 (hex, lowercase) of the secret -> who it is. */
export type TokenTable = ReadonlyMap<string, Principal>;

/** Validates a parsed tokens document into a table keyed by the secret's hash. */
export function buildTokenTable(doc: unknown, source = 'tokens file'): TokenTable {
  const parsed = TokensFile.safeParse(doc);
  if (!parsed.success) {
    throw new ConfigError(`${source}: ${describeZodError(parsed.error)}`);
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : parsed.data.tokens;
  const table = new Map<string, Principal>();
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) throw new ConfigError(`${source}: duplicate token name "${e.name}"`);
    names.add(e.name);
    const hash = e.sha256 !== undefined ? e.sha256.toLowerCase() : sha256Hex(e.token ?? '');
    table.set(hash, {
      id: `token:${e.name}`,
      name: e.name,
      kind: 'static_token',
      rateLimit: e.rate_limit === undefined ? undefined : toRateLimit(e.rate_limit),
    });
  }
  return table;
}

/** Reads a YAML or JSON tokens file. */
export function loadTokensFile(path: string): TokenTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read tokens file ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `tokens file ${path} is not YAML/JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return buildTokenTable(doc, `tokens file ${path}`);
}
