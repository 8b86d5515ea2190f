import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { contentRequests, ensureReq, setup, spec, type Env } from './helpers.js';

let env: Env;
let child: ChildProcess | undefined;
beforeEach(async () => {
  env = await setup();
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await env.close();
});

// Above WORKER_HASH_MIN_BYTES, so the resumed download hashes its prefix and the rest on the worker thread.
const BIG = 40 * 1024 * 1024;

async function partialSize(dir: string): Promise<number> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const p = files.find((f) => f.endsWith('.incomplete'));
  return p ? (await stat(join(dir, p))).size : 0;
}

describe('resume after kill -9', () => {
  it.each([
    [
      'huggingface',
      (cache: string) => join(cache, 'huggingface', 'hub', 'models--nebula-test--big-llm', 'blobs'),
      '/cdn-lfs/',
    ],
    [
      'modelscope',
      (cache: string) => join(cache, 'modelscope', 'hub', 'models', '._____temp', 'nebula-test', 'big-llm'),
      'FilePath=model.safetensors',
    ],
  ] as const)(
    'a new manager resumes the .incomplete file of a killed one (%s)',
    async (source, partialDir, match) => {
      env.hub.addModel({
        id: 'nebula-test/big-llm',
        files: [
          { path: 'config.json', content: '{"model_type":"llama"}' },
          { path: 'model.safetensors', size: BIG },
        ],
      });
      env.hub.setFailure({ kind: 'throttle', bytesPerSec: 2 * 1024 * 1024, match });
      const cache = join(env.dir, 'cache');
      child = spawn(
        join(process.cwd(), 'node_modules', '.bin', 'vite-node'),
        [
          join('test', 'cache', 'fixtures', 'download-child.ts'),
          cache,
          env.hub.url,
          'nebula-test/big-llm',
          source,
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(async () => (await partialSize(partialDir(cache))) > 1024 * 1024, {
        timeoutMs: 60_000,
        intervalMs: 50,
        what: `partial download (child said: ${out})`,
      });
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
      const kept = await partialSize(partialDir(cache));
      expect(kept).toBeGreaterThan(1024 * 1024);
      expect(kept).toBeLessThan(BIG);

      env.hub.setFailure(null);
      env.hub.clearRequests();
      const res = await env.manager().ensure(ensureReq(spec('nebula-test/big-llm', source)));
      expect(res.downloaded).toBe(true);
      const gets = contentRequests(env.hub, 'model.safetensors').filter(
        (r) => r.status === 200 || r.status === 206,
      );
      expect(gets).toHaveLength(1);
      expect(gets[0]?.range).toBe(`bytes=${kept}-`);
      expect(gets[0]?.bytes).toBe(BIG - kept);
      expect((await stat(join(res.modelPath!, 'model.safetensors'))).size).toBe(BIG);
    },
  );
});
