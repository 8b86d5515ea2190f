import { ConfigError } from './errors.js';

/**
 * Resolves one setting: command-line flag, then `NEBULA_*` environment variable, then default.
 * `env` is injectable so tests do not touch process.env.
 */
export function resolveOption(
  flag: string | undefined,
  envName: string,
  fallback: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fallback;
}

export function resolveOptional(
  flag: string | undefined,
  envName: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env[envName];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
}

export function resolvePort(
  flag: string | number | undefined,
  envName: string,
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const raw = resolveOption(flag === undefined ? undefined : String(flag), envName, String(fallback), env);
  return parsePort(raw, envName);
}

export function parsePort(raw: string, what = 'port'): number {
  if (!/^[0-9]{1,5}$/.test(raw)) throw new ConfigError(`${what}: "${raw}" is not a port number`);
  const n = Number(raw);
  if (n < 0 || n > 65535) throw new ConfigError(`${what}: ${n} is outside 0-65535`);
  return n;
}

export function resolveBool(
  flag: boolean | undefined,
  envName: string,
  fallback: boolean,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (flag !== undefined) return flag;
  const v = env[envName];
  if (v === undefined || v === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(`${envName}: "${v}" is not a boolean`);
}

/** Parses `http://h1:2379,http://h2:2379` into a list of validated URLs. */
export function parseEtcdEndpoints(raw: string): string[] {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new ConfigError('--etcd needs at least one URL');
  for (const u of list) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new ConfigError(`--etcd: "${u}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`--etcd: "${u}" must be http:// or https://`);
    }
  }
  return list;
}

/** Parses "40000-40999". */
export function parsePortRange(raw: string): { start: number; end: number } {
  const m = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(raw.trim());
  if (!m) throw new ConfigError(`port range "${raw}" must look like 40000-40999`);
  const start = parsePort(m[1] ?? '', 'port range start');
  const end = parsePort(m[2] ?? '', 'port range end');
  if (start < 1 || start > end) throw new ConfigError(`port range "${raw}" is empty or starts at 0`);
  return { start, end };
}

/** Parses sizes like "80GiB", "512MiB", "1.5TB", "1024" (bytes). */
export function parseBytes(raw: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$/i.exec(raw.trim());
  if (!m) throw new ConfigError(`"${raw}" is not a size (e.g. 80GiB)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'B').toLowerCase();
  const mult: Record<string, number> = {
    b: 1,
    kb: 1e3,
    kib: 1024,
    mb: 1e6,
    mib: 1024 ** 2,
    gb: 1e9,
    gib: 1024 ** 3,
    tb: 1e12,
    tib: 1024 ** 4,
  };
  return Math.round(n * (mult[unit] ?? 1));
}
