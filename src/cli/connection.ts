/**
 * Which server, router and token a command uses: flag > NEBULA_* environment > the context > default.
 * The context is `--context`, else NEBULA_CONTEXT, else the config's current-context.
 */
import { CliContext, HttpUrl, defaultConfigPath, findContext, loadConfig } from '../core/cli-config.js';
import { UsageError } from './errors.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
export const DEFAULT_ROUTER = 'http://127.0.0.1:8000';

export interface ConnectionFlags {
  server?: string;
  token?: string;
  context?: string;
  router?: string;
}

export interface Connection {
  server: string;
  router: string;
  token: string | undefined;
  /** The context in effect (undefined when none is configured). */
  context: CliContext | undefined;
  contextName: string | undefined;
  configPath: string;
}

function pick(...values: Array<string | undefined>): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

function checkUrl(value: string, what: string): string {
  if (!HttpUrl.safeParse(value).success)
    throw new UsageError(`${what} "${value}" is not an http:// or https:// URL`, 'INVALID_URL');
  return value.replace(/\/+$/, '');
}

/**
 * `allowMissingContext`: a named context that does not exist yet is not an error (login creates it);
 * `contextName` then carries the name and `context` is undefined.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
  opts: { allowMissingContext?: boolean } = {},
): Connection {
  const configPath = defaultConfigPath(env);
  const config = loadConfig(configPath);
  const wanted = pick(flags.context, env.NEBULA_CONTEXT);
  let context: CliContext | undefined;
  if (wanted !== undefined) {
    context = findContext(config, wanted);
    if (!context && opts.allowMissingContext !== true)
      throw new UsageError(
        `context "${wanted}" does not exist (see: nebula context list)`,
        'CONTEXT_NOT_FOUND',
      );
  } else if (config['current-context'] !== undefined) {
    context = findContext(config, config['current-context']);
  }
  const server = checkUrl(pick(flags.server, env.NEBULA_SERVER, context?.server) ?? DEFAULT_SERVER, 'server');
  const router = checkUrl(pick(flags.router, env.NEBULA_ROUTER, context?.router) ?? DEFAULT_ROUTER, 'router');
  return {
    server,
    router,
    token: pick(flags.token, env.NEBULA_TOKEN, context?.token),
    context,
    contextName: context?.name ?? wanted,
    configPath,
  };
}
