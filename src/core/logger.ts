import { pino, destination, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Role or module name, written as `component` on every line. */
  component: string;
  level?: string;
  /** Where JSON lines go; stderr by default so stdout stays free for command output. */
  destination?: DestinationStream;
}

/** JSON logger (pino) with `component` on every line; level from NEBULA_LOG_LEVEL when not given. */
export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? process.env['NEBULA_LOG_LEVEL'] ?? 'info';
  return pino(
    {
      level,
      base: { component: opts.component },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? destination({ fd: 2, sync: false }),
  );
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
