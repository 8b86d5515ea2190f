/**
 * Pre-pull end to end (issue 17 item 5): a real server, scheduler and two node agents on a real etcd,
 * with the fake hub. `POST /models/{uid}/pull` downloads onto the node the planner would choose (or the
 * named one) without starting anything; a later start downloads nothing; bad requests change nothing; a
 * download-only import pulls.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type ModelPull, type NebulaClient } from '../../src/client/index.js';
import { keys } from '../../src/core/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import type { NodeAgentHandle } from '../../src/node/index.js';
import { startScheduler, type SchedulerHandle } from '../../src/scheduler/index.js';
import { startServer, type ServerHandle } from '../../src/server/index.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store } from '../../src/store/types.js';
import { cliFor } from '../cli/harness.js';
import { startFakeHub, smallModelFiles, type FakeHub } from '../fake-hub/index.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { waitModelRunning } from '../helpers/model-wait.js';
import { tempDir } from '../helpers/tmp.js';
import { killEnginesOf } from '../node/procs.js';
import { startTestAgent } from '../node/test-agent.js';
import { addUser } from '../server/helpers.js';

const MIB = 1024 * 1024;
const PULL_REPO = 'nebula-test/pull-llm';
const IMPORT_REPO = 'nebula-test/import-llm';

describe('pre-pull: download without starting, then a start downloads nothing', () => {
  const dir = tempDir('nebula-prepull-');
  let etcd: EtcdProcess;
  let store: Store;
  let hub: FakeHub;
  let server: ServerHandle;
  let scheduler: SchedulerHandle;
  const nodes: NodeAgentHandle[] = [];
  let admin: NebulaClient;
  let operator: NebulaClient;
  let viewer: NebulaClient;
  let operatorKey: string;

  /** File downloads the hub served (the listing API calls are not files). */
  const fileGets = () =>
    hub.requests.filter(
      (r) => r.method === 'GET' && (r.path.includes('/resolve/') || r.path.includes('/cdn-lfs/')),
    );
  const cacheDirOf = (node: string) => join(dir.path, node, 'models');
  const hfRepoDir = (node: string, repo: string) =>
    join(cacheDirOf(node), 'huggingface', 'hub', `models--${repo.replace('/', '--')}`);

  beforeAll(async () => {
    etcd = await startEtcd();
    store = await openEtcdStore({ endpoints: [etcd.endpoint], callTimeoutMs: 3000 });
    hub = await startFakeHub({
      extraModels: [
        { id: PULL_REPO, task: 'text-generation', files: smallModelFiles(3 * MIB) },
        { id: IMPORT_REPO, task: 'text-generation', files: smallModelFiles(2 * MIB) },
      ],
    });
    server = await startServer(
      {
        host: '127.0.0.1',
        port: 0,
        rateLimit: false,
        loginRateLimit: false,
        validateResponses: true,
        env: {},
        hfEndpoint: hub.url,
        modelscopeEndpoint: hub.url,
      },
      { store, logger: silentLogger() },
    );
    scheduler = await startScheduler(
      { metricsPort: 0, host: '127.0.0.1', instanceId: 'prepull-scheduler', debounceMs: 10 },
      { store, logger: silentLogger() },
    );
    for (const id of ['node-a', 'node-b']) {
      const port = await freePort();
      nodes.push(
        await startTestAgent(store, {
          nodeId: id,
          dataDir: join(dir.path, id),
          gpus: 'sim:1x24GiB',
          portRange: { start: port, end: port },
          hfEndpoint: hub.url,
          modelscopeEndpoint: hub.url,
        }),
      );
    }
    const key = server.bootstrap?.apiKey;
    if (!key) throw new Error('no admin key');
    admin = createClient({ baseUrl: server.url, token: key });
    operatorKey = await addUser(store, 'olga', 'operator');
    operator = createClient({ baseUrl: server.url, token: operatorKey });
    viewer = createClient({ baseUrl: server.url, token: await addUser(store, 'victor', 'viewer') });
    await waitFor(async () => ((await admin.nodes.list()).items.length === 2 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'two nodes registered',
    });
  }, 60_000);

  afterAll(async () => {
    for (const n of nodes) await n.stop().catch(() => undefined);
    for (const id of ['node-a', 'node-b']) killEnginesOf(join(dir.path, id));
    await scheduler?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await hub?.stop().catch(() => undefined);
    await etcd?.destroy().catch(() => undefined);
    dir.cleanup();
  });

  const pullsDone = (uid: string, onNodes: readonly string[]) =>
    waitFor(
      async () => {
        const { items } = await admin.models.pulls(uid);
        const failed = items.find((p) => p.status === 'failed');
        if (failed) throw new Error(`pull failed on ${failed.node_id}: ${failed.error ?? ''}`);
        const done = items.filter((p) => p.status === 'done' && onNodes.includes(p.node_id));
        return done.length === onNodes.length ? done : undefined;
      },
      { timeoutMs: 30_000, what: `pulls of ${uid} done` },
    );

  async function apiError(p: Promise<unknown>): Promise<ApiError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }

  it('pulls onto the node the planner chooses; the start then fetches no file', async () => {
    await operator.models.create({
      model_uid: 'tiny',
      model_name: PULL_REPO,
      model_source: 'huggingface',
      engine_type: 'sim',
      auto_start: false,
    });
    const before = fileGets().length;
    const res = await operator.models.pull('tiny');
    expect(res).toMatchObject({ model_uid: 'tiny', chosen_by: 'planner', unplaced: null });
    expect(res.nodes).toHaveLength(1);
    const node = res.nodes[0] ?? '';
    expect(res.pulls[0]).toMatchObject({ node_id: node, model_name: PULL_REPO, status: 'pending' });

    const [done] = await pullsDone('tiny', [node]);
    expect(done).toMatchObject({ cached: false, files_done: 8, files_total: 8 });
    expect(done?.bytes_total).toBeGreaterThan(3 * MIB);
    expect(done?.bytes_done).toBe(done?.bytes_total);
    expect(fileGets().length).toBeGreaterThan(before);
    expect(existsSync(join(hfRepoDir(node, PULL_REPO), 'refs', 'main'))).toBe(true);
    // Nothing runs: no plan, no endpoint, the model stays stopped; the detail shows the pull.
    const detail = await admin.models.get('tiny');
    expect(detail).toMatchObject({ state: 'stopped', endpoints: [], plan: null });
    expect(detail.pulls?.map((p: ModelPull) => [p.node_id, p.status])).toEqual([[node, 'done']]);
    const other = node === 'node-a' ? 'node-b' : 'node-a';
    expect(existsSync(hfRepoDir(other, PULL_REPO))).toBe(false);

    // Asking again finds the files in the cache at once.
    await operator.models.pull('tiny');
    const [again] = await pullsDone('tiny', [node]);
    expect(again).toMatchObject({ cached: true, fetched_bytes: 0 });

    const mark = fileGets().length;
    await operator.models.start('tiny');
    const running = await waitModelRunning(admin, 'tiny', { timeoutMs: 60_000 });
    expect(running.endpoints.map((e) => e.node_id)).toEqual([node]);
    expect(fileGets().slice(mark)).toEqual([]);
  }, 120_000);

  it('pulls onto a named node (CLI, --wait with a line per node)', async () => {
    const home = tempDir('nebula-prepull-cli-');
    try {
      const cli = cliFor(home.path, { NEBULA_SERVER: server.url, NEBULA_TOKEN: operatorKey });
      const before = (await admin.models.get('tiny')).endpoints.map((e) => e.node_id)[0];
      const target = before === 'node-a' ? 'node-b' : 'node-a';
      const r = await cli(['model', 'pull', 'tiny', '--node', target, '--wait']);
      expect(r.stderr).toMatch(new RegExp(`${target}: done`));
      expect(r).toMatchObject({ code: 0, stdout: `Downloading tiny onto ${target}.\n` });
      expect(existsSync(join(hfRepoDir(target, PULL_REPO), 'refs', 'main'))).toBe(true);
      const get = await cli(['model', 'get', 'tiny']);
      expect(get.stdout).toContain('Pre-pull (download without starting):');
      expect(get.stdout).toMatch(new RegExp(`${target} +done`));
      const cache = await admin.nodes.cache(target);
      expect(cache.items.some((e) => e.model_name === PULL_REPO && e.complete)).toBe(true);
    } finally {
      home.cleanup();
    }
  }, 60_000);

  it('refuses bad pulls with a 4xx and writes nothing', async () => {
    const pullKeys = async (uid: string) =>
      (await store.list(keys.pullsOf(uid), { keysOnly: true })).items.length;
    await operator.models.create({
      model_uid: 'huge',
      model_name: PULL_REPO,
      model_source: 'huggingface',
      engine_type: 'sim',
      resources: { gpu_count: 1, gpu_memory_gib: 100 },
      auto_start: false,
    });
    const unknown = await apiError(operator.models.pull('huge', { nodes: ['node-a', 'node-zz'] }));
    expect([unknown.status, unknown.code]).toEqual([404, 'NODE_NOT_FOUND']);
    const forbidden = await apiError(viewer.models.pull('huge'));
    expect(forbidden.status).toBe(403);
    const unplaceable = await apiError(operator.models.pull('huge'));
    expect([unplaceable.status, unplaceable.code]).toEqual([409, 'PULL_UNPLACEABLE']);
    expect(unplaceable.message).toMatch(/needs .*100 GiB/);
    expect(await pullKeys('huge')).toBe(0);
    const missing = await apiError(operator.models.pull('nope'));
    expect([missing.status, missing.code]).toEqual([404, 'MODEL_NOT_FOUND']);
    await operator.models.create({
      model_uid: 'local-sim',
      model_name: 'local-sim',
      model_source: 'local',
      engine_type: 'sim',
      auto_start: false,
    });
    const local = await apiError(operator.models.pull('local-sim'));
    expect([local.status, local.code]).toEqual([422, 'NOTHING_TO_PULL']);
    expect(await pullKeys('local-sim')).toBe(0);
  }, 30_000);

  it('a download-only import (auto_start false) pulls; deleting the model removes its pulls', async () => {
    const before = fileGets().length;
    const imp = await operator.catalog.import({
      provider: 'huggingface',
      model_id: IMPORT_REPO,
      model_uid: 'imported',
      engine_type: 'sim',
      auto_start: false,
    });
    expect(imp.model.desired_state).toBe('stopped');
    expect(imp.pull_nodes).toHaveLength(1);
    const node = imp.pull_nodes?.[0] ?? '';
    const [done] = await pullsDone('imported', [node]);
    expect(done).toMatchObject({ cached: false });
    expect(fileGets().length).toBeGreaterThan(before);
    expect(existsSync(join(hfRepoDir(node, IMPORT_REPO), 'refs', 'main'))).toBe(true);
    expect((await admin.models.get('imported')).state).toBe('stopped');

    await admin.models.delete('imported');
    expect((await store.list(keys.pullsOf('imported'), { keysOnly: true })).items).toEqual([]);
  }, 60_000);
});
