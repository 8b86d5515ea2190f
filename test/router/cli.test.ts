import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../helpers/ports.js';
import { okJson, startFakeUpstream } from './fake-upstream.js';

const root = join(import.meta.dirname, '..', '..');
// The CLI bundled from the sources into one file that plain `node` runs (packages stay external and resolve
// from the repository's node_modules), so the process gets real signals and exit codes.
const bundle = join(root, 'node_modules', '.cache', 'nebula-router-cli', 'cli.mjs');

function nebula(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [bundle, ...args], {
    cwd: root,
    env: { ...process.env, NEBULA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

describe('nebula router (process)', () => {
  beforeAll(async () => {
    await build({
      entryPoints: [join(root, 'test/router/cli-entry.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: bundle,
      logLevel: 'silent',
    });
  });

  const procs: ChildProcess[] = [];
  afterEach(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    procs.length = 0;
  });

  it('serves a static upstream from the environment until SIGTERM', async () => {
    const up = await startFakeUpstream((res) => okJson(res, { id: 'ok' }));
    try {
      const port = await freePort();
      const run = nebula(
        ['router', '--host', '127.0.0.1', '--port', String(port), '--no-grpc', '--no-auth'],
        {
          NEBULA_UPSTREAM_URL: up.url,
          NEBULA_UPSTREAM_MODEL: 'lite',
        },
      );
      procs.push(run.child);
      await waitFor(() => run.out().includes('OpenAI API'), { timeoutMs: 20_000, what: 'router to start' });
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        body: '{"model":"lite"}',
      });
      expect(await res.json()).toEqual({ id: 'ok' });
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
    } finally {
      await up.stop();
    }
  });

  it('exits 2 with a one-line reason on bad flags', async () => {
    const run = nebula(['router', '--etcd', 'http://127.0.0.1:1', '--policy', 'fastest']);
    procs.push(run.child);
    expect(await run.exit).toBe(2);
    expect(run.out()).toMatch(/^error: --policy: "fastest" is not one of .*\n$/);
  });
});
