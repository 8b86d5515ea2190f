/** The `nebula` CLI from the sources, for tests that bundle it and run it as a process (cli.test.ts). */
import { main } from '../../src/cli/main.js';

await main(['node', 'nebula', ...process.argv.slice(2)]);
