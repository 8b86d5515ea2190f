/**
 * CLI contexts: named connections (server URL, router URL, token, user) in `~/.nebula/config.yaml`
 * (or `$NEBULA_CONFIG`), so one CLI can drive several clusters. The file holds tokens: it is written
 * with mode 0600 (directory 0700), atomically, so a crash never leaves half a file. It lives in core because
 * the CLI reads and writes it and `nebula up` (src/up.ts, below the CLI) leaves a `local` context in it.
 * Errors keep the CLI's codes and exits: CONFIG_INVALID fails (1), a bad or unknown context is a usage error (2).
 *
 * ```yaml
 * current-context: local
 * contexts:
 *   - name: local
 *     server: http://127.0.0.1:8080
 *     router: http://127.0.0.1:8000
 *     token: nbk_...
 *     user: admin
 * ```
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { ConfigError, NebulaError } from './errors.js';

export const ContextName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'context names are 1-63 letters, digits, ".", "_" or "-"');

export const HttpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

export const CliContext = z.looseObject({
  name: ContextName,
  server: HttpUrl,
  router: HttpUrl.optional(),
  token: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
});
export type CliContext = z.infer<typeof CliContext>;

export const CliConfig = z.looseObject({
  'current-context': z.string().optional(),
  contexts: z.array(CliContext).default([]),
});
export type CliConfig = z.infer<typeof CliConfig>;

/** `$NEBULA_CONFIG`, else `~/.nebula/config.yaml` (HOME from `env` first, for tests). */
export function defaultConfigPath(env: Record<string, string | undefined> = process.env): string {
  const explicit = env.NEBULA_CONFIG;
  if (explicit !== undefined && explicit !== '') return explicit;
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir();
  return join(home, '.nebula', 'config.yaml');
}

/** Reads the config file; a missing file is an empty config. */
export function loadConfig(path: string): CliConfig {
  if (!existsSync(path)) return { contexts: [] };
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8')) ?? {};
  } catch (err) {
    throw new NebulaError(
      `${path} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
      'CONFIG_INVALID',
    );
  }
  const parsed = CliConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new NebulaError(
      `${path}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid config'}`,
      'CONFIG_INVALID',
    );
  }
  return parsed.data;
}

/** Writes the config with mode 0600 through a temporary file and a rename. */
export function saveConfig(path: string, config: CliConfig): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const doc: Record<string, unknown> = {};
  if (config['current-context'] !== undefined) doc['current-context'] = config['current-context'];
  for (const [k, v] of Object.entries(config)) if (k !== 'current-context' && k !== 'contexts') doc[k] = v;
  doc.contexts = config.contexts;
  try {
    writeFileSync(tmp, stringify(doc, { lineWidth: 0 }), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function findContext(config: CliConfig, name: string): CliContext | undefined {
  return config.contexts.find((c) => c.name === name);
}

/**
 * Adds or updates the context `ctx.name` (fields given replace the stored ones). It becomes the current
 * context when `makeCurrent` is true, or when there was no current context yet. `nebula up` calls this to
 * leave a working `local` context behind.
 */
export function upsertContext(
  ctx: { name: string; server: string; router?: string; token?: string; user?: string },
  opts: { configPath?: string; makeCurrent?: boolean } = {},
): void {
  const checked = CliContext.safeParse(ctx);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ConfigError(
      `context ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      'INVALID_CONTEXT',
    );
  }
  const path = opts.configPath ?? defaultConfigPath();
  const config = loadConfig(path);
  const existing = findContext(config, ctx.name);
  const defined = Object.fromEntries(Object.entries(checked.data).filter(([, v]) => v !== undefined));
  if (existing) Object.assign(existing, defined);
  else config.contexts.push(checked.data);
  const current = config['current-context'];
  if (opts.makeCurrent === true || current === undefined || findContext(config, current) === undefined) {
    config['current-context'] = ctx.name;
  }
  saveConfig(path, config);
}

/** The config file and its contents, which must hold context `name` (CONTEXT_NOT_FOUND otherwise). */
function configWith(name: string, opts: { configPath?: string }): { path: string; config: CliConfig } {
  const path = opts.configPath ?? defaultConfigPath();
  const config = loadConfig(path);
  if (!findContext(config, name))
    throw new ConfigError(`context "${name}" does not exist`, 'CONTEXT_NOT_FOUND');
  return { path, config };
}

/** Removes a context; clears current-context when it pointed there. Throws when it does not exist. */
export function removeContext(name: string, opts: { configPath?: string } = {}): void {
  const { path, config } = configWith(name, opts);
  config.contexts = config.contexts.filter((c) => c.name !== name);
  if (config['current-context'] === name) delete config['current-context'];
  saveConfig(path, config);
}

/** Makes `name` the current context. */
export function useContext(name: string, opts: { configPath?: string } = {}): void {
  const { path, config } = configWith(name, opts);
  config['current-context'] = name;
  saveConfig(path, config);
}

/** Changes fields of an existing context (token: null removes the token). */
export function updateContext(
  name: string,
  patch: { token?: string | null; user?: string | null; server?: string; router?: string },
  opts: { configPath?: string } = {},
): void {
  const path = opts.configPath ?? defaultConfigPath();
  const config = loadConfig(path);
  const ctx = findContext(config, name);
  if (!ctx) throw new ConfigError(`context "${name}" does not exist`, 'CONTEXT_NOT_FOUND');
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete (ctx as Record<string, unknown>)[k];
    else if (v !== undefined) (ctx as Record<string, unknown>)[k] = v;
  }
  saveConfig(path, config);
}
