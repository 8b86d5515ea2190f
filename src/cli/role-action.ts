/** The action shared by the server-side role commands (`router`, `scheduler`, `node`, `engine-sim`). */
import type * as CoreErrors from '../core/errors.js';

/** Which failures of a role are bad flags, environment or config files (given the core error classes). */
export type IsUsageError = (err: unknown, errors: typeof CoreErrors) => boolean;

/** A NebulaError whose code matches `re`. */
export function codeMatches(re: RegExp): IsUsageError {
  return (err, { NebulaError }) => err instanceof NebulaError && re.test(err.code);
}

/**
 * The role's module is imported only when the role runs (client commands start fast). A failure that
 * `isUsage` names becomes a UsageError: one line and exit 2, nothing started; others exit 1 through runCli.
 */
export function roleAction<F>(
  load: () => Promise<(flags: F) => Promise<unknown>>,
  isUsage: IsUsageError,
): (flags: F) => Promise<void> {
  return async (flags) => {
    const [run, errors, { UsageError }] = await Promise.all([
      load(),
      import('../core/errors.js'),
      import('./errors.js'),
    ]);
    try {
      await run(flags);
    } catch (err) {
      if (err instanceof errors.NebulaError && isUsage(err, errors))
        throw new UsageError(err.message, err.code);
      throw err;
    }
  };
}
