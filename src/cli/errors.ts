/**
 * CLI failures and how they end a run: one line `error: <message> (<CODE>)` on stderr and an exit code
 * (0 ok, 1 failure, 2 usage). Errors from the API client keep the server's stable code.
 */
import { ConfigError, NebulaError, errorMessage } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI itself detected, with the exit code it should end with. */
export class CliError extends NebulaError {
  readonly exitCode: number;

  constructor(
    message: string,
    code: string,
    exitCode: number = EXIT_FAILURE,
    details?: Record<string, unknown>,
  ) {
    super(message, code, details === undefined ? {} : { details });
    this.exitCode = exitCode;
  }
}

/** Bad flags or arguments, found before any request was sent: exit 2. */
export class UsageError extends CliError {
  constructor(message: string, code = 'USAGE') {
    super(message, code, EXIT_USAGE);
  }
}

/** Something the CLI waited for did not happen (model failed, timeout): exit 1. */
export class FailureError extends CliError {
  constructor(message: string, code: string, details?: Record<string, unknown>) {
    super(message, code, EXIT_FAILURE, details);
  }
}

/** Ends the run with `exitCode` without printing anything more (the command already said why). */
export class SilentExit extends CliError {
  constructor(exitCode: number) {
    super('', 'SILENT_EXIT', exitCode);
  }
}

interface CodedError {
  code: string;
  message: string;
}

function hasStringCode(err: unknown): err is Error & CodedError {
  return err instanceof Error && typeof (err as Partial<CodedError>).code === 'string';
}

/** Node's network error codes: the server is not there (or not reachable), as opposed to a server answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The root cause of a `fetch failed` TypeError, which hides the useful part in `cause`. */
function networkCause(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    const code = (cur as Partial<CodedError>).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return `${cur.message}`;
    cur = cur.cause;
  }
  return undefined;
}

/** Flattens a message onto one line so an error never spills over several. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** `{ message, code, exitCode }` for any thrown value. */
export function describeError(err: unknown): { message: string; code: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, code: err.code, exitCode: err.exitCode };
  // A bad flag or NEBULA_* value of a role (port, range, URL...) is a usage error.
  if (err instanceof ConfigError) return { message: err.message, code: err.code, exitCode: 2 };
  const net = networkCause(err);
  if (net !== undefined)
    return { message: `cannot reach the server: ${net}`, code: 'UNREACHABLE', exitCode: EXIT_FAILURE };
  if (err instanceof Error && err.name === 'AbortError')
    return { message: 'cancelled', code: 'CANCELLED', exitCode: EXIT_FAILURE };
  if (hasStringCode(err) && /^[A-Z][A-Z0-9_]*$/.test(err.code)) {
    return { message: err.message, code: err.code, exitCode: EXIT_FAILURE };
  }
  return { message: errorMessage(err), code: 'INTERNAL', exitCode: EXIT_FAILURE };
}

/** The single stderr line for an error. */
export function formatErrorLine(message: string, code: string): string {
  const msg = oneLine(message.trim()).replace(/^error:\s*/i, '');
  return `error: ${msg} (${code})\n`;
}
