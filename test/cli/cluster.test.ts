import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { fakeNodeAdmin, fakeRouter, type FakeService } from './fake-services.js';
import { normalize, putCache, putDisk, putEndpoint, putNode, putPlan, TEN_DAYS_LATER } from './fixtures.js';
import { cliFor, type Cli } from './harness.js';
import { startTestServer, type TestServer } from './server-harness.js';

const DAY = 86_400_000;

describe('nebula node / cache / disk / alerts / logs / metrics / status / v1 commands', () => {
  let srv: TestServer;
  let admin: FakeService;
  let router: FakeService;
  let home: { path: string; cleanup: () => void };
  let cli: Cli;

  beforeAll(async () => {
    admin = await fakeNodeAdmin();
    router = await fakeRouter();
    srv = await startTestServer({ routerUrl: router.url });
    home = tempDir('nebula-cli-cluster-');
    cli = cliFor(home.path, { NEBULA_SERVER: srv.url, NEBULA_TOKEN: srv.adminKey }, { now: TEN_DAYS_LATER });
    await putNode(srv.store, 'node-a', { adminPort: admin.port, heartbeatAgoMs: 3 * DAY });
    await putNode(srv.store, 'node-b', { gpus: 0, heartbeatAgoMs: 3 * DAY });
    await putDisk(srv.store, 'node-a', 90);
    await putDisk(srv.store, 'node-b', 40);
    await putCache(srv.store, 'node-a', 'demo/tiny', 3 * 1024 ** 3);
    await cli([
      'model',
      'create',
      '--name',
      'demo/tiny',
      '--uid',
      'tiny',
      '--engine',
      'sim',
      '--replicas',
      '2',
      '--start',
    ]);
    await putPlan(srv.store, 'tiny', { nodeId: 'node-a', replicas: 2 });
    await putEndpoint(srv.store, 'tiny', 0);
    await putEndpoint(srv.store, 'tiny', 1, { status: 'starting', restarts: 2, lastError: 'exit code 1' });
  });
  afterAll(async () => {
    await srv?.stop();
    await admin?.close();
    await router?.close();
    home?.cleanup();
  });

  it('lists and shows nodes', async () => {
    const list = await cli(['node', 'list']);
    expect(list.stdout).toMatchInlineSnapshot(`
      "NODE    STATE  ADDRESS    GPUS             GPU MEM (RESERVED/TOTAL)  REPLICAS  DISK   HEARTBEAT
      node-a  ready  127.0.0.1  2x Sim GPU 80GB  40 GiB / 160 GiB          1/2       90.0%  3d ago
      node-b  ready  127.0.0.1  0                -                         0/0       40.0%  3d ago
      "
    `);
    const get = await cli(['node', 'get', 'node-a']);
    expect(normalize(get.stdout).replace(`:${admin.port})`, ':PORT)')).toMatchInlineSnapshot(`
      "Node:        node-a
      State:       ready
      Address:     127.0.0.1 (admin :PORT)
      Version:     test
      Heartbeat:   3d ago
      GPU source:  simulated
      Ports:       40000-40999
      Labels:      -
      Disk:        900 GiB / 1000 GiB (90.0%) at /var/cache/nebula
      Alerts:      warning: disk usage 90% on /var/cache/nebula

      GPUs:
      INDEX  NAME          MEMORY USED/TOTAL  RESERVED  UTIL  REPLICAS
      0      Sim GPU 80GB  0 B / 80 GiB       20 GiB    0.0%  tiny/0
      1      Sim GPU 80GB  0 B / 80 GiB       20 GiB    0.0%  tiny/1

      Replicas:
      MODEL  REPLICA  GPUS  MEMORY  PORT   STATUS
      tiny   0        0     20 GiB  40000  ready
      tiny   1        1     20 GiB  40001  starting
      "
    `);
    expect(JSON.parse((await cli(['node', 'get', 'node-a', '-o', 'json'])).stdout)).toMatchObject({
      node_id: 'node-a',
      online: true,
    });
    expect((await cli(['node', 'get', 'bad/id'])).code).toBe(2);
    expect((await cli(['node', 'get', 'ghost'])).stderr).toMatch(/\(NODE_NOT_FOUND\)\n$/);
  });

  it('cordons, drains and uncordons a node', async () => {
    expect(await cli(['node', 'cordon', 'node-b'])).toEqual({
      code: 0,
      stdout: 'Node node-b cordoned.\n',
      stderr: '',
    });
    expect((await cli(['node', 'list'])).stdout).toMatch(/^node-b +cordoned /m);
    expect((await cli(['node', 'drain', 'node-b'])).stdout).toBe('Node node-b draining.\n');
    expect((await cli(['node', 'list'])).stdout).toMatch(/^node-b +draining /m);
    expect(JSON.parse((await cli(['node', 'uncordon', 'node-b', '-o', 'json'])).stdout)).toMatchObject({
      node_id: 'node-b',
      cordoned: false,
      draining: false,
    });
    expect((await cli(['node', 'list'])).stdout).toMatch(/^node-b +ready /m);
  });

  it('shows the model cache, disks and alerts', async () => {
    expect((await cli(['cache', 'list'])).stdout).toMatchInlineSnapshot(`
      "MODEL      SOURCE       REVISION  SIZE     NODES  LAST USED  USED BY
      demo/tiny  huggingface  main      3.0 GiB  1/1    -          tiny(degraded)
      Total: 3.0 GiB on 1 node(s)
      "
    `);
    expect(normalize((await cli(['cache', 'list', '--node', 'node-a'])).stdout)).toMatchInlineSnapshot(`
      "MODEL      SOURCE       REVISION  SIZE     FILES  COMPLETE  LAST USED  PATH
      demo/tiny  huggingface  main      3.0 GiB  4      yes       -          /var/cache/nebula/models--demo--tiny
      Total: 3.0 GiB
      "
    `);
    expect((await cli(['cache', 'list', '--node', 'node-b'])).stderr).toBe(
      'No cached models on node node-b.\n',
    );
    expect((await cli(['disk', 'status'])).stdout).toMatchInlineSnapshot(`
      "NODE    PATH               TOTAL     USED     AVAILABLE  USAGE  ALERT
      node-a  /var/cache/nebula  1000 GiB  900 GiB  100 GiB    90.0%  warning
      node-b  /var/cache/nebula  1000 GiB  400 GiB  600 GiB    40.0%  ok
      "
    `);
    expect(
      JSON.parse((await cli(['disk', 'status', '--node', 'node-a', '-o', 'json'])).stdout),
    ).toMatchObject({
      node_id: 'node-a',
      disk: { usage_percent: 90 },
      alerts: [{ level: 'warning' }],
    });
    expect((await cli(['alerts'])).stdout).toMatchInlineSnapshot(`
      "NODE    TYPE        LEVEL    USAGE  SINCE    MESSAGE
      node-a  disk_usage  warning  90.0%  10d ago  disk usage 90% on /var/cache/nebula
      "
    `);
    expect((await cli(['alerts', '--level', 'critical'])).stderr).toBe('No active alerts.\n');
  });

  it('prints replica logs, one replica or all, and follows them', async () => {
    expect(await cli(['logs', 'tiny', '--replica', '1', '--tail', '2'])).toEqual({
      code: 0,
      stdout: 'tiny r1 line 4\ntiny r1 line 5\n',
      stderr: '',
    });
    expect((await cli(['logs', 'tiny', '-n', '1'])).stdout).toBe(
      '[replica 0] tiny r0 line 5\n[replica 1] tiny r1 line 5\n',
    );
    expect(await cli(['logs', 'tiny', '-r', '0', '-n', '2', '-f'])).toEqual({
      code: 0,
      stdout: 'tiny r0 line 4\ntiny r0 line 5\ntiny r0 new line\n',
      stderr: '',
    });
    expect(admin.seen).toContain('GET /admin/models/tiny/replicas/0/logs?tail=2&follow=1');
    expect((await cli(['logs', 'tiny', '--replica', '7'])).stderr).toMatch(/\(REPLICA_NOT_FOUND\)\n$/);
    expect((await cli(['logs', 'tiny', '--tail', '0'])).code).toBe(2);
  });

  it('drain migrates one replica (a drain request for the scheduler); --force stops it now', async () => {
    const r = await cli(['drain', '--model-uid', 'tiny', '--replica-id', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Drain of replica 1 of tiny requested: a replacement is placed first; this replica retires once it is ready.\n' +
        'Follow it with: nebula model events tiny\n',
    );
    expect(admin.seen.some((s) => s.startsWith('POST /admin/models/tiny/stop'))).toBe(false);
    expect(await cli(['drain', '--model-uid', 'tiny', '--replica-id', '1', '--cancel'])).toEqual({
      code: 0,
      stdout: 'Drain of replica 1 of tiny cancelled.\n',
      stderr: '',
    });
    const f = await cli(['drain', '--model-uid', 'tiny', '--replica-id', '1', '--force']);
    expect(f).toEqual({
      code: 0,
      stdout: 'Replica 1 of tiny on node node-a force-stopped (it stays down until the plan changes).\n',
      stderr: '',
    });
    expect(admin.seen.some((s) => s.startsWith('POST /admin/models/tiny/stop'))).toBe(true);
    expect((await cli(['drain', '--model-uid', 'tiny', '--replica-id', '5'])).stderr).toBe(
      'error: model "tiny" has no replica 5 (REPLICA_NOT_FOUND)\n',
    );
    expect((await cli(['drain', '--model-uid', 'tiny', '--replica-id', '5', '--force'])).stderr).toBe(
      'error: model tiny has no replica 5 (REPLICA_NOT_FOUND)\n',
    );
    expect((await cli(['drain', '--model-uid', 'tiny'])).code).toBe(2);
  });

  it('summarises router metrics and cluster status', async () => {
    const m = await cli(['metrics']);
    expect(m.code).toBe(0);
    expect(m.stdout.split('\n').slice(1).join('\n')).toMatchInlineSnapshot(`
      "MODEL  REQ/S  REQUESTS  ERRORS    P50    P99  TTFT P50  TTFT P99  TOKENS IN  TOKENS OUT  TOK/S
      tiny       -       100      10  100ms  900ms      31ms     193ms       1200        4800      -
      TOTAL      -       100      10  100ms  900ms      31ms     193ms       1200        4800      -
      "
    `);
    expect((await cli(['metrics', 'tiny'])).stdout).toMatch(
      /^MODEL +REQ\/S +REQUESTS.*\ntiny +\S+ +100 +10 /,
    );
    expect((await cli(['metrics', 'ghost'])).stderr).toBe(
      'error: the router has no traffic for model "ghost" yet (NO_METRICS)\n',
    );
    const status = await cli(['status']);
    expect(
      status.stdout
        .replace(srv.url, '<server>')
        .replace(router.url, '<router>')
        .replace(/revision \d+/, 'revision N'),
    ).toMatchInlineSnapshot(`
      "Cluster:      degraded (<server>)
      Store:        ok (embedded, revision N)
      Router:       ok (<router>)
      Scheduler:    no leader
      Nodes:        2 online, 0 offline, 0 cordoned
      GPUs:         2 (reserved 40 GiB of 160 GiB)
      Models:       1 (1 degraded)
      Endpoints:    2 (1 ready, 1 starting)
      Placements:   1 (2 replicas, 0 with unplaced replicas)
      v1 requests:  0
      Alerts:       1 (0 critical)
      Plans:        all replicas run their latest plan
      Engines:      2 (1 ready, 1 starting); 1 restarted
      GPU usage:    memory up to 0% (node-a/0), utilisation 0% on average
      Ports:        no conflicts
      Issues:
        critical  scheduler has no leader
        critical  node node-a: heartbeat is stale
        critical  node node-b: heartbeat is stale
        warning   engine tiny/1 on node-a restarted 2 time(s)
      "
    `);
    expect(Object.keys(JSON.parse((await cli(['status', '-o', 'json'])).stdout))).toEqual([
      'overview',
      'health',
    ]);
  });

  it('keeps the v1 commands: model load / unload, scale by request, admin migrate', async () => {
    const load = await cli([
      'model',
      'load',
      '--uid',
      'legacy',
      '--name',
      'demo/legacy',
      '--engine',
      'sim',
      '--request-id',
      'req-legacy',
    ]);
    expect(load).toEqual({
      code: 0,
      stdout: 'Request:   req-legacy\nModel:     legacy\nReplicas:  1\nStatus:    Pending\n',
      stderr: '',
    });
    const scaled = await cli(['scale', '--id', 'req-legacy', '--replicas', '2', '-o', 'json']);
    expect(scaled.code).toBe(0);
    const replacement = JSON.parse(scaled.stdout);
    expect(replacement).toMatchObject({
      replicas: 2,
      status: 'Pending',
      spec: { model_uid: 'legacy', model_name: 'demo/legacy' },
    });
    expect(replacement.request_id).not.toBe('req-legacy');
    expect((await cli(['model', 'unload', replacement.request_id])).stdout).toBe(
      `Request ${replacement.request_id} unloading.\n`,
    );
    expect((await cli(['model', 'unload', 'req-nope'])).stderr).toMatch(/\(REQUEST_NOT_FOUND\)\n$/);
    expect((await cli(['scale', '--id', 'nothing-here', '--replicas', '2'])).stderr).toBe(
      'error: no model or v1 request "nothing-here" (NOT_FOUND)\n',
    );

    await cli([
      'model',
      'load',
      '--uid',
      'old-one',
      '--name',
      'demo/old',
      '--engine',
      'sim',
      '--request-id',
      'req-old',
    ]);
    const migrate = await cli(['admin', 'migrate']);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(
      /^Migrated \d+ of \d+ v1 request\(s\): \d+ skipped, 0 failed\.\nREQUEST +MODEL +RESULT +REASON\n/,
    );
    expect(migrate.stdout).toMatch(/^req-old +old-one +migrated/m);
    expect(JSON.parse((await cli(['model', 'get', 'old-one', '-o', 'json'])).stdout).model_uid).toBe(
      'old-one',
    );
    const again = JSON.parse((await cli(['admin', 'migrate', '-o', 'json'])).stdout);
    expect(again.migrated).toBe(0);
  });

  it('shows events and the audit trail', async () => {
    const events = await cli(['events', '--model', 'tiny']);
    expect(normalize(events.stdout)).toMatch(
      /^TIME +MODEL +TYPE +LEVEL +SOURCE +REPLICA +MESSAGE\n<time> +tiny +created +info +server +- +created by admin/,
    );
    const audit = await cli(['audit', '--action', 'model.create', '-o', 'json']);
    expect(JSON.parse(audit.stdout).map((e: { resource: string }) => e.resource)).toContain('model/tiny');
    expect((await cli(['audit', '--since', 'yesterday'])).code).toBe(2);
    expect((await cli(['events', '--model', 'NOPE'])).code).toBe(2);
  });
});
