/**
 * Runs one `nebula` role command from the sources (no build needed), for the router benchmark's child
 * processes: `npx vite-node bench/router/serve.ts -- engine-sim --model demo --port 0 ...`.
 * Also `sims N <sim flags...>` starts N simulators in this one process and prints their ports as JSON.
 */
import { silentLogger } from '../../src/core/logger.js';
import { main } from '../../src/cli/main.js';
import { startEngineSim, type EngineSimHandle, type SimOptionsInput } from '../../src/sim/index.js';

const argv = process.argv.slice(2).filter((a) => a !== '--');
if (argv[0] === 'sims') {
  const n = Number(argv[1]);
  const opts: Record<string, string> = {};
  for (let i = 2; i < argv.length; i += 2) {
    const k = (argv[i] ?? '').replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    opts[k] = argv[i + 1] ?? '';
  }
  const sims: EngineSimHandle[] = [];
  for (let i = 0; i < n; i++) {
    sims.push(
      await startEngineSim({ ...(opts as unknown as SimOptionsInput), port: 0 }, { logger: silentLogger() }),
    );
  }
  process.stdout.write(JSON.stringify({ ports: sims.map((s) => s.port) }) + '\n');
  const stop = () => void Promise.all(sims.map((s) => s.stop())).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  await main(['node', 'nebula', ...argv]);
}
