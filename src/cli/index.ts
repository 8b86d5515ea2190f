/**
 * The `nebula` command line. `runCli` runs one command with injected streams and environment (what the
 * binary and the tests call). The contexts file itself is src/core/cli-config.ts (`nebula up` writes it too).
 */
export { runCli } from './run-cli.js';
export { main } from './main.js';
export { buildProgram } from './program.js';
export { registerClientCommands } from './commands.js';
export {
  upsertContext,
  removeContext,
  useContext,
  loadConfig,
  saveConfig,
  defaultConfigPath,
  type CliConfig,
  type CliContext,
} from '../core/cli-config.js';
export { resolveConnection, DEFAULT_SERVER, DEFAULT_ROUTER, type Connection } from './connection.js';
export { processIo, type CliIo, type CliInput, type CliOutput } from './io.js';
export { CliError, UsageError, FailureError, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
