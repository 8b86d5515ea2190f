/** Entry of the CLI bundle the process tests run (what bin/nebula.js does with the built CLI). */
import { main } from '../../src/cli/main.js';

await main(process.argv);
