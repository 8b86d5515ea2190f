/**
 * Runs the scheduler benchmark as plain JavaScript: bundles bench/scheduler/scheduler-bench.ts with esbuild
 * (packages stay external) into node_modules/.cache and runs it with node, so timings are those of
 * compiled code rather than of an on-the-fly TypeScript loader. Arguments are passed through:
 *   npx vite-node bench/scheduler/run.ts -- --n 100,1000,5000 --stores embedded,etcd
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'node_modules', '.cache', 'nebula-bench');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'scheduler-bench.mjs');
await build({
  entryPoints: [join(root, 'bench', 'scheduler', 'scheduler-bench.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
const res = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exitCode = res.status ?? 1;
