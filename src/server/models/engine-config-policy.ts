import {
  roleAtLeast,
  type EngineConfig,
  type EngineOverrides,
  type EngineType,
  type Role,
} from '../../core/domain/index.js';
import { MASKED_ENV_VALUE, maskEnv, unmaskEnv, type ContractIssue } from '../../engines/contract.js';
import { engineConfigIssues } from '../../engines/engine-config-check.js';
import type { Context } from 'hono';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import type { ServerEnv } from '../http/env.js';

type EngineConfigInput = Partial<Pick<EngineConfig, 'extra_args' | 'env'>> | undefined;

/** 422 naming the first refused field, with every issue in details (as zod issues are). */
function refused(issues: readonly ContractIssue[]): ApiError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return errors.invalid(`${first.path}: ${first.message}${more}`, 'VALIDATION_FAILED', { issues });
}

/**
 * The server's check of an engine_config before anything is stored (models, templates, the v1 load
 * path): the engine's contract (src/engines/contracts), and no masked placeholder left without a stored
 * value behind it. Throws 422 VALIDATION_FAILED.
 */
export function checkSpecEngineConfig(engine: EngineType, cfg: EngineConfigInput): void {
  const issues: ContractIssue[] = Object.entries(cfg?.env ?? {})
    .filter(([, v]) => v === MASKED_ENV_VALUE)
    .map(([k]) => ({
      path: `engine_config.env.${k}`,
      message: `"${MASKED_ENV_VALUE}" stands for a stored value (env values are write-only) and there is none; send the value`,
    }));
  issues.push(...engineConfigIssues(engine, cfg ?? {}));
  if (issues.length > 0) throw refused(issues);
}

/**
 * Env of an update: where the caller sent back the masked placeholder, the stored value stays. Names
 * with a placeholder and nothing stored are left as the placeholder, which checkSpecEngineConfig refuses.
 */
export function restoreMaskedEnv(
  next: Record<string, string>,
  stored: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const { env, missing } = unmaskEnv(next, stored);
  for (const k of missing) env[k] = MASKED_ENV_VALUE;
  return env;
}

const sameArgs = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const sameEnv = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * The cluster setting `engine_overrides`: with `admins`, a caller below admin may not set extra_args or
 * env beyond empty, or change them from what is stored (keeping them as they are is fine, so an operator
 * can still edit other fields of a model an admin tuned). Throws 403 FORBIDDEN naming the setting.
 */
export function guardEngineOverrides(
  setting: EngineOverrides,
  role: Role | undefined,
  next: EngineConfigInput,
  stored?: Pick<EngineConfig, 'extra_args' | 'env'>,
): void {
  if (setting === 'operators' || (role !== undefined && roleAtLeast(role, 'admin'))) return;
  const args = next?.extra_args;
  const env = next?.env;
  const argsChanged = args !== undefined && args.length > 0 && !(stored && sameArgs(args, stored.extra_args));
  const envChanged =
    env !== undefined &&
    Object.keys(env).length > 0 &&
    !(stored && sameEnv(restoreMaskedEnv({ ...env }, stored.env), stored.env));
  if (argsChanged || envChanged) {
    const field = argsChanged ? 'engine_config.extra_args' : 'engine_config.env';
    throw errors.forbidden(
      `${field}: the cluster setting engine_overrides is "admins": only admins may set engine arguments or environment (an admin can change it: nebula admin settings set engine_overrides operators)`,
    );
  }
}

/**
 * A response with `engine_config.env` values masked wherever they sit (model views, plans, v1 requests,
 * templates): values of secret names (isSecretEnvName: *TOKEN*, *KEY*, *SECRET*, ...) are write-only for
 * everyone; viewers (and anonymous callers) see no value at all. Names stay visible. Deep copy; strings
 * (e.g. raw store values in an admin backup) are left alone.
 */
export function maskEngineEnvDeep<T>(value: T, role: Role | undefined): T {
  const all = role === undefined || !roleAtLeast(role, 'operator');
  return maskWalk(value, all) as T;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function maskConfig(cfg: Record<string, unknown>, env: Record<string, string>, all: boolean): unknown {
  const masked = maskEnv(env, all);
  const same = Object.keys(env).every((k) => masked[k] === env[k]);
  return same ? cfg : { ...cfg, env: masked };
}

/**
 * Copy on write: objects and arrays are copied only along the paths to an engine_config, so a list of
 * thousands of views costs a traversal, not a deep copy.
 */
function maskWalk(v: unknown, all: boolean): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = maskWalk(x, all);
      if (y !== x) (out ??= v.slice())[i] = y;
    }
    return out ?? v;
  }
  const obj = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in obj) {
    const x = obj[k];
    const y =
      k === 'engine_config' && isRecord(x) && isRecord(x['env'])
        ? maskConfig(x, x['env'] as Record<string, string>, all)
        : maskWalk(x, all);
    if (y !== x) (out ??= { ...obj })[k] = y;
  }
  return out ?? obj;
}

/** guardEngineOverrides with the cluster's current setting and the caller's role (route handlers). */
export async function enforceEngineOverrides(
  ctx: Pick<ServerContext, 'settings'>,
  c: Context<ServerEnv>,
  next: EngineConfigInput,
  stored?: Pick<EngineConfig, 'extra_args' | 'env'>,
): Promise<void> {
  if (!next || ((next.extra_args?.length ?? 0) === 0 && Object.keys(next.env ?? {}).length === 0)) return;
  const setting = (await ctx.settings.get()).value.engine_overrides;
  guardEngineOverrides(setting, c.var.principal?.role, next, stored);
}
