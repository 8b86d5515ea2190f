/**
 * `--name value` options of a benchmark script run as `npx vite-node bench/x.ts -- [--name value]...` (the
 * `--` separator vite-node passes through is skipped).
 */
const argv = process.argv.slice(2).filter((a) => a !== '--');

/** The value after `--<name>` on the command line, or `dflt` when the option (or its value) is absent. */
export function benchOption(name: string, dflt: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : dflt;
}
