import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { resolveSimOptions, type SimOptionsInput } from './options.js';
import { startEngineSim } from './server.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * `nebula engine-sim`: validates the flags, serves until SIGTERM or SIGINT, then closes cleanly (running
 * requests get the grace period) and returns so the process exits 0. Bad flags throw ConfigError.
 */
export async function runEngineSim(flags: Record<string, unknown>): Promise<void> {
  const { logLevel, ...rest } = flags;
  // Flags arrive as strings; the schema coerces and checks them (ConfigError names the bad one).
  const opts = resolveSimOptions(rest as SimOptionsInput);
  if (logLevel !== undefined && (typeof logLevel !== 'string' || !LEVELS.includes(logLevel))) {
    throw new ConfigError(`engine-sim: --log-level must be one of ${LEVELS.join(', ')}`);
  }
  const logger = createLogger({
    component: 'engine-sim',
    ...(typeof logLevel === 'string' ? { level: logLevel } : {}),
  });
  const handle = await startEngineSim(opts, { logger });
  await new Promise<void>((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      logger.info({ signal }, 'engine-sim stopping');
      handle.stop().then(resolve, reject);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  logger.flush();
}
