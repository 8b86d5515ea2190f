/** The `nebula` binary's entry (bin/nebula.js imports dist/cli/main.js): the program is in program.ts. */
import { runCli } from './run-cli.js';

export { buildProgram } from './program.js';

/** The `nebula` binary: runs `argv` (process.argv) with the process streams; see run-cli.ts. */
export async function main(argv: string[]): Promise<void> {
  // `nebula model list | head -1`: a reader that goes away is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const code = await runCli(argv.slice(2));
  // A role command may have set its own non-zero exit code (e.g. 2 for a bad flag) before returning.
  process.exitCode = code !== 0 ? code : (process.exitCode ?? 0);
}
