/**
 * The spine on a real engine: `nebula up` (built binary, own ports, a fresh data dir, the fake hub as Hugging
 * Face) runs a real llama-server (NEBULA_TEST_LLAMA_SERVER, found on PATH by the node agent) for tiny real
 * GGUF models:
 *  - from the hub: catalog search finds the GGUF repo, import with engine llamacpp, only the chosen variant
 *    is on disk and llama-server loads it (`-m`), chat plain and streamed through the router;
 *  - from a local .gguf path: the same serving checks, then the router's load scrape of llama-server's
 *    /metrics, kill -9 of llama-server (the first crash restarted at once, a second one after the backoff
 *    with the state honest in between, serving again), llama-server's own output in `nebula logs`, stop, and Ctrl-C leaving no process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, TINY_GGUF_REPO, type FakeHub } from '../fake-hub/index.js';
import { tinyLlamaRepoFiles, tinyTokenizer } from '../fixtures/gguf/tiny-llama.js';
import { llamaServerBinary, skipWithoutLlamaServer } from '../helpers/llama-server.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { findProcesses, isAlive } from '../helpers/procs.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'nebula.js');

interface EndpointJson {
  replica_id: string;
  status: string;
  pid?: number;
  restarts: number;
  last_error?: string;
  next_restart_at?: string;
}
interface ModelJson {
  model_uid: string;
  state: string;
  state_reason?: string | null;
  ready_replicas: number;
  endpoints: EndpointJson[];
  events: { type: string; message?: string }[];
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

describe.skipIf(skipWithoutLlamaServer('the llama.cpp spine'))(
  'llama.cpp spine on a real llama-server',
  () => {
    const dir = tempDir('nebula-llama-spine-');
    const dataDir = join(dir.path, 'data');
    const llamaBin = llamaServerBinary() ?? '';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NEBULA_CONFIG: join(dir.path, 'config.yaml'),
      NO_COLOR: '1',
      // The node agent launches `llama-server` from PATH (no per-engine executable setting needed).
      PATH: `${dirname(llamaBin)}${delimiter}${process.env['PATH'] ?? ''}`,
    };
    delete env['NEBULA_SERVER'];
    delete env['NEBULA_TOKEN'];
    delete env['NEBULA_CONTEXT'];
    delete env['NEBULA_ROUTER'];
    let hub: FakeHub;
    let up: ChildProcess;
    let upOut = '';
    let upExit: Promise<number | null>;
    let routerUrl = '';
    let key = '';

    // Asynchronous on purpose: the fake hub answers from this process, so a blocking spawnSync would starve it.
    const cli = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    const model = async (uid: string): Promise<ModelJson> => {
      const r = await cli('model', 'get', uid, '-o', 'json');
      if (r.code !== 0) throw new Error(`model get ${uid}: ${r.stderr}`);
      return JSON.parse(r.stdout) as ModelJson;
    };
    const readyPid = async (uid: string): Promise<number | undefined> => {
      const m = await model(uid);
      const e = m.endpoints[0];
      return m.ready_replicas === 1 && e?.status === 'ready' && e.pid !== undefined ? e.pid : undefined;
    };
    /** The llama-server behind a model: its pid (checked to be a real llama-server process) and argv. */
    const engineOf = async (uid: string) => {
      const pid = await readyPid(uid);
      if (pid === undefined)
        throw new Error(`no ready llama-server for ${uid}: ${JSON.stringify(await model(uid))}`);
      const argv = cmdline(pid);
      expect(argv[0]).toMatch(/llama-server$/);
      return { pid, argv };
    };

    const chatChecks = async (uid: string) => {
      const openai = new OpenAI({ baseURL: `${routerUrl}/v1`, apiKey: key, maxRetries: 0 });
      const models = await openai.models.list();
      expect(models.data.map((m) => m.id)).toContain(uid);

      const plain = await openai.chat.completions.create({
        model: uid,
        messages: [{ role: 'user', content: 'hello from the llama.cpp spine' }],
        max_tokens: 8,
        temperature: 0,
      });
      expect(plain.choices[0]?.message.content?.length).toBeGreaterThan(0);
      expect(plain.usage?.completion_tokens).toBeGreaterThan(0);
      // Greedy on the same prompt: the real engine gives the same text again.
      const again = await openai.chat.completions.create({
        model: uid,
        messages: [{ role: 'user', content: 'hello from the llama.cpp spine' }],
        max_tokens: 8,
        temperature: 0,
      });
      expect(again.choices[0]?.message.content).toBe(plain.choices[0]?.message.content);

      const stream = await openai.chat.completions.create({
        model: uid,
        messages: [{ role: 'user', content: 'stream some tokens' }],
        max_tokens: 12,
        temperature: 0,
        stream: true,
      });
      let text = '';
      let chunks = 0;
      for await (const chunk of stream) {
        chunks += 1;
        text += chunk.choices[0]?.delta?.content ?? '';
      }
      expect(chunks).toBeGreaterThan(2);
      expect(text.length).toBeGreaterThan(0);
    };

    beforeAll(async () => {
      hub = await startFakeHub();
      const [server, router, grpc, scheduler, admin] = await Promise.all([
        freePort(),
        freePort(),
        freePort(),
        freePort(),
        freePort(),
      ]);
      // A block of engine ports away from the ranges other suites use.
      const base = 43_000 + Math.floor(Math.random() * 50) * 100;
      up = spawn(
        process.execPath,
        [
          BIN,
          'up',
          '--data-dir',
          dataDir,
          '--host',
          '127.0.0.1',
          '--server-port',
          String(server),
          '--router-port',
          String(router),
          '--grpc-port',
          String(grpc),
          '--scheduler-port',
          String(scheduler),
          '--node-admin-port',
          String(admin),
          '--node-id',
          'llama-e2e',
          '--gpus',
          'sim:4x24GiB',
          '--port-range',
          `${base}-${base + 99}`,
          '--hf-endpoint',
          hub.url,
          // A second crash in a row waits this (the first restarts at once), long enough to see the state.
          '--restart-backoff-initial',
          '4s',
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      up.stdout?.on('data', (d: Buffer) => (upOut += d.toString()));
      up.stderr?.on('data', (d: Buffer) => (upOut += d.toString()));
      upExit = new Promise((res) => up.once('exit', (code) => res(code)));
      await waitFor(() => upOut.includes('Press Ctrl-C'), {
        timeoutMs: 90_000,
        what: `nebula up to start: ${upOut}`,
      });
      routerUrl = `http://127.0.0.1:${router}`;
      key = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    });

    afterAll(async () => {
      if (up && up.exitCode === null) {
        up.kill('SIGKILL');
        await upExit;
      }
      // Engines run in their own process groups: never leave one behind, even when a test failed.
      for (const pid of findProcesses(llamaBin, dir.path)) process.kill(pid, 'SIGKILL');
      await hub?.stop();
      dir.cleanup();
    });

    it('finds the GGUF repository in the catalog', async () => {
      const r = await cli('catalog', 'search', 'tiny-llama', '-o', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(TINY_GGUF_REPO);
    });

    it('imports the GGUF repo with engine llamacpp: only the chosen variant on disk, served by llama-server', async () => {
      // Needs the GGUF file selection of issue 14 item 4 (before it, the import downloads every variant and
      // fails with "llama.cpp needs a .gguf file, got .../snapshots/<sha>").
      const r = await cli(
        'catalog',
        'import',
        TINY_GGUF_REPO,
        '--engine',
        'llamacpp',
        '--uid',
        'tiny-gguf',
        '--wait',
      );
      expect(r.code, `${r.stderr}\n${r.stdout}\n${JSON.stringify((await model('tiny-gguf')).events)}`).toBe(
        0,
      );

      const { argv } = await engineOf('tiny-gguf');
      const loaded = argv[argv.indexOf('-m') + 1] ?? '';
      expect(loaded).toMatch(/\.gguf$/);
      expect(existsSync(loaded)).toBe(true);

      // Exactly one variant in the cache: one file, or every part of one split.
      const repoDir = join(
        dataDir,
        'cache',
        'huggingface',
        'hub',
        `models--${TINY_GGUF_REPO.replace('/', '--')}`,
      );
      const snapshots = readdirSync(join(repoDir, 'snapshots'));
      expect(snapshots).toHaveLength(1);
      const onDisk = readdirSync(join(repoDir, 'snapshots', snapshots[0]!)).filter((f) =>
        f.endsWith('.gguf'),
      );
      const variant = (f: string) => f.replace(/-\d{5}-of-\d{5}\.gguf$/, '').replace(/\.gguf$/, '');
      expect(new Set(onDisk.map(variant)).size, onDisk.join(',')).toBe(1);
      const split = /-\d{5}-of-(\d{5})\.gguf$/.exec(onDisk[0]!);
      expect(onDisk).toHaveLength(split ? Number(split[1]) : 1);
      // llama-server gets the file, or the first part of a split.
      expect(loaded.endsWith(split ? onDisk.sort()[0]! : onDisk[0]!)).toBe(true);
      // What is kept is what the hub has, byte for byte (verified download).
      const hubFiles = new Map(hub.repo(TINY_GGUF_REPO)!.files.map((f) => [f.path, f.digests().sha256]));
      for (const f of onDisk) expect(hubFiles.has(f)).toBe(true);

      await chatChecks('tiny-gguf');
      const stopped = await cli('model', 'stop', 'tiny-gguf', '--wait');
      expect(stopped.code, stopped.stderr).toBe(0);
    });

    it('serves a local .gguf: chat, load scrape, kill -9: restart at once, then backoff, logs, stop, Ctrl-C', async () => {
      const q8 = tinyLlamaRepoFiles(tinyTokenizer()).find((f) => f.path === 'tiny-llama-Q8_0.gguf')!;
      const local = join(dir.path, 'models', 'tiny.gguf');
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, q8.content);
      const created = await cli(
      'model', 'create', '--name', 'tiny-local', '--uid', 'tiny-local', '--source', 'local', '--path', local,
      '--engine', 'llamacpp', '--gpu-memory', '1', '--start', '--wait',
    ); // prettier-ignore
      expect(created.code, `${created.stderr}\n${created.stdout}`).toBe(0);
      const first = await engineOf('tiny-local');
      expect(first.argv[first.argv.indexOf('-m') + 1]).toBe(local);
      expect(first.argv).toContain('--metrics');

      await chatChecks('tiny-local');

      // The router scrapes the engine's /metrics: its per-replica load gauge shows llama-server's numbers.
      await waitFor(
        async () => {
          const text = await (await fetch(`${routerUrl}/metrics`)).text();
          return /nebula_router_replica_engine_requests\{[^}]*model="tiny-local"[^}]*state="running"[^}]*\} \d/.test(
            text,
          );
        },
        { timeoutMs: 20_000, what: 'the router to report the scraped llama-server load' },
      );

      // kill -9: the first crash restarts llama-server at once (backoff starts with the second in a row).
      process.kill(first.pid, 'SIGKILL');
      const secondPid = await waitFor(
        async () => {
          const pid = await readyPid('tiny-local');
          return pid !== undefined && pid !== first.pid ? pid : undefined;
        },
        { timeoutMs: 60_000, what: 'llama-server to be restarted at once after its first crash' },
      );
      expect((await model('tiny-local')).endpoints[0]?.restarts).toBeGreaterThanOrEqual(1);

      // A second crash in a row waits the backoff: the state says so in between, then it serves again.
      const killedAt = Date.now();
      process.kill(secondPid, 'SIGKILL');
      const down = await waitFor(
        async () => {
          const m = await model('tiny-local');
          const e = m.endpoints[0];
          return e && e.status !== 'ready' && e.restarts >= 2 ? { m, e } : undefined;
        },
        { timeoutMs: 30_000, what: 'the second crash to show in the model state' },
      );
      expect(down.m.ready_replicas).toBe(0);
      expect(down.m.state).not.toBe('running');
      expect(down.e.last_error ?? '').not.toBe('');
      // While no replica is ready the router says so instead of hanging or pretending.
      const during = await fetch(`${routerUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'tiny-local',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 2,
        }),
      });
      const duringRestart = (await readyPid('tiny-local')) === undefined;
      if (duringRestart) expect(during.status).toBeGreaterThanOrEqual(500);

      const restartedPid = await waitFor(
        async () => {
          const pid = await readyPid('tiny-local');
          return pid !== undefined && pid !== secondPid ? pid : undefined;
        },
        { timeoutMs: 90_000, what: 'llama-server to be restarted after the backoff and ready' },
      );
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(4_000); // backoff: not restarted in a tight loop
      expect((await model('tiny-local')).endpoints[0]?.restarts).toBeGreaterThanOrEqual(2);
      expect(cmdline(restartedPid)[0]).toMatch(/llama-server$/);
      await chatChecks('tiny-local');

      // llama-server's own output reaches `nebula logs`.
      const logs = await cli('logs', 'tiny-local', '--tail', '2000');
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toMatch(/load_model|server is listening|llama_model_loader|srv /);

      const stopped = await cli('model', 'stop', 'tiny-local', '--wait');
      expect(stopped.code, stopped.stderr).toBe(0);
      await waitFor(() => !isAlive(restartedPid), {
        timeoutMs: 30_000,
        what: 'llama-server to exit after stop',
      });

      // Ctrl-C with a llama-server running: nothing outlives `nebula up`.
      const again = await cli('model', 'start', 'tiny-local', '--wait');
      expect(again.code, again.stderr).toBe(0);
      const running = (await engineOf('tiny-local')).pid;
      up.kill('SIGINT');
      expect(await upExit).toBe(0);
      expect(isAlive(running)).toBe(false);
      expect(findProcesses(llamaBin, dir.path)).toEqual([]);
    });
  },
);
