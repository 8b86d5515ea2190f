/**
 * Engines per node, end to end: real etcd, two real `nebula node` processes (one without llama-server,
 * one given a fake one with --engine-bin), the scheduler and the control API in-process, and the CLI.
 * A llama.cpp model stays unplaced with the reason while no node has llama-server, and is placed on the
 * node that has it as soon as that node registers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { startScheduler, type SchedulerHandle } from '../../src/scheduler/index.js';
import { startServer, type ServerHandle } from '../../src/server/index.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store } from '../../src/store/types.js';
import { cliFor, type Cli } from '../cli/harness.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { readPlan } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/nebula.js', import.meta.url));
const BUILT = new URL('../../dist/cli/main.js', import.meta.url);
const NS = '/engines-e2e';
const REASON = 'no schedulable node has engine llamacpp; install it with: nebula engine install llamacpp';

interface AgentProc {
  child: ChildProcess;
  output: () => string;
}

describe('engines per node (etcd, node processes, scheduler, API, CLI)', () => {
  const dir = tempDir('nebula-engines-e2e-');
  let etcd: EtcdProcess;
  let store: Store;
  let server: ServerHandle;
  let scheduler: SchedulerHandle;
  let cli: Cli;
  const agents: AgentProc[] = [];
  let fakeLlama = '';

  /** A `nebula node` process; PATH and the install cache hold no engine unless `--engine-bin` names one. */
  const startAgent = async (nodeId: string, extra: string[]): Promise<AgentProc> => {
    const port = await freePort();
    const emptyBin = join(dir.path, 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const child = spawn(
      process.execPath,
      [
        BIN,
        'node',
        '--etcd',
        etcd.endpoint,
        '--etcd-namespace',
        NS,
        '--node-id',
        nodeId,
        '--gpus',
        'sim:1x80GiB',
        '--port-range',
        `${port}-${port}`,
        '--data-dir',
        join(dir.path, nodeId),
        '--admin-port',
        '0',
        ...extra,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PATH: `${emptyBin}:/usr/bin:/bin`,
          XDG_CACHE_HOME: join(dir.path, 'xdg-cache'),
          NEBULA_ENGINE_BINS: '',
          NEBULA_LOG_LEVEL: 'warn',
          NEBULA_NODE_TOKEN: '',
          // Nothing to download from: the replica's files fail fast; placement is what this suite checks.
          HF_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        },
      },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const agent = { child, output: () => out };
    agents.push(agent);
    return agent;
  };

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` first');
    etcd = await startEtcd();
    store = await openEtcdStore({ endpoints: [etcd.endpoint], namespace: NS });
    server = await startServer(
      {
        port: 0,
        host: '127.0.0.1',
        adminPassword: 'admin-pass-1234',
        rateLimit: false,
        loginRateLimit: false,
        validateResponses: true,
        outboundTimeoutMs: 2000,
        env: {},
      },
      { store, logger: silentLogger() },
    );
    scheduler = await startScheduler(
      { metricsPort: 0, host: '127.0.0.1', gracePeriodMs: 5_000, leaseTtlSeconds: 5 },
      { store, logger: silentLogger() },
    );
    const key = server.bootstrap?.apiKey;
    if (!key) throw new Error('no admin key');
    cli = cliFor(join(dir.path, 'home'), { NEBULA_SERVER: server.url, NEBULA_TOKEN: key });
    fakeLlama = join(dir.path, 'opt', 'llama', 'bin', 'llama-server');
    mkdirSync(join(fakeLlama, '..'), { recursive: true });
    // Answers --version like llama-server (on stderr); otherwise stays up like a server would.
    writeFileSync(
      fakeLlama,
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "version: 4589 (1d1e6a90)" >&2; exit 0; fi\nexec sleep 600\n',
    );
    chmodSync(fakeLlama, 0o755);
  });

  afterAll(async () => {
    for (const a of agents) if (a.child.exitCode === null) a.child.kill('SIGTERM');
    await Promise.all(
      agents.map((a) =>
        a.child.exitCode === null ? new Promise((r) => a.child.once('exit', r)) : Promise.resolve(),
      ),
    );
    await scheduler?.stop();
    await server?.stop();
    await store?.close();
    await etcd?.destroy();
    dir.cleanup();
  });

  it('keeps a llamacpp model unplaced with the reason, then places it on the node that has llama-server', async () => {
    const plain = await startAgent('plain-1', []);
    await waitFor(
      async () => {
        const r = await cli(['engine', 'list', '-o', 'json']);
        const rows = r.code === 0 ? (JSON.parse(r.stdout) as { node_id: string }[]) : [];
        return rows.some((x) => x.node_id === 'plain-1') || undefined;
      },
      { timeoutMs: 30_000 },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nagent output:\n${plain.output()}`);
    });

    const created = await cli([
      'model',
      'create',
      '--name',
      'org/tiny-gguf',
      '--uid',
      'tiny',
      '--engine',
      'llamacpp',
      '--gpu-memory',
      '2',
      '--start',
    ]);
    expect(created.code, created.stderr).toBe(0);

    const plan = await waitFor(async () => {
      const p = await readPlan(store, 'tiny');
      return p?.unplaced ? p : undefined;
    });
    expect(plan.assignments).toEqual([]);
    expect(plan.unplaced).toEqual({ replicas: 1, reason: REASON });

    // The reason is what operators see: the API and `nebula model get`.
    const got = await waitFor(async () => {
      const r = await cli(['model', 'get', 'tiny']);
      return r.stdout.includes(REASON) ? r : undefined;
    });
    expect(got.code).toBe(0);
    const json = JSON.parse((await cli(['model', 'get', 'tiny', '-o', 'json'])).stdout) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(json)).toContain(REASON);

    const withLlama = await startAgent('llama-1', ['--engine-bin', `llamacpp=${fakeLlama}`]);
    const placed = await waitFor(
      async () => {
        const p = await readPlan(store, 'tiny');
        return p && p.assignments.length === 1 ? p : undefined;
      },
      { timeoutMs: 30_000 },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nagent output:\n${withLlama.output()}`);
    });
    expect(placed.assignments[0]?.node_id).toBe('llama-1');
    expect(placed.unplaced).toBeNull();

    const list = await cli(['engine', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`llama-1\\s+llamacpp\\s+4589 \\(1d1e6a90\\)\\s+${fakeLlama}\\s+available`),
    );
    expect(list.stdout).not.toMatch(/plain-1\s+llamacpp/);
    expect(list.stdout).toMatch(/plain-1\s+sim\s/);
    const detail = await cli(['node', 'get', 'llama-1']);
    expect(detail.stdout).toMatch(/^Engines: +sim \S+, llamacpp 4589 \(1d1e6a90\)$/m);
  });

  it('refuses a relative --engine-bin with one line and exit 2', async () => {
    const bad = await startAgent('bad-1', ['--engine-bin', 'llamacpp=bin/llama-server']);
    const code = await new Promise<number | null>((r) =>
      bad.child.exitCode !== null ? r(bad.child.exitCode) : bad.child.once('exit', r),
    );
    expect(code).toBe(2);
    expect(bad.output()).toContain('--engine-bin: llamacpp: "bin/llama-server" is not an absolute path');
  });
});
