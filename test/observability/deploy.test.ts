import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { resolveNodeCliConfig } from '../../src/node/cli-options.js';
import { buildTokenTable } from '../../src/router/auth/static-tokens.js';
import { resolveRouterCli } from '../../src/router/cli-options.js';
import { resolveSchedulerCli } from '../../src/scheduler/cli-options.js';
import { resolveServerCli } from '../../src/server/run-server.js';
import { tempDir } from '../helpers/tmp.js';
import { documentedMetrics, promtool } from './metrics-doc.js';
import { baseName, metricNames } from './promql.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DEPLOY = join(ROOT, 'deploy');
const read = (rel: string) => readFileSync(join(DEPLOY, rel), 'utf8');
const tmp = tempDir('nebula-deploy-');
afterAll(() => tmp.cleanup());

const documented = new Set(documentedMetrics().keys());
/** Names an expression reads that docs/metrics.md does not list. */
const undocumented = (expr: string) => metricNames(expr).filter((n) => baseName(n, documented) === undefined);

/** Every NEBULA_* variable the code reads (a deploy file naming another one has a typo). */
function knownNebulaVars(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/NEBULA_[A-Z0-9_]+/g)) out.add(m[0]);
      }
    }
  };
  walk(join(ROOT, 'src'));
  return out;
}
const KNOWN_VARS = knownNebulaVars();

describe('the PromQL name extractor', () => {
  it('finds selectors and skips functions, labels, ranges and variables', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, model) (rate(a_bucket{model=~"$model",le="2"}[$__rate_interval]))) / on (instance) group_left (x) b and c == 1e3 or vector(0)',
      ).sort(),
    ).toEqual(['a_bucket', 'b', 'c']);
    expect(undocumented('rate(nebula_router_requests_total[5m]) / nebula_router_no_such_metric')).toEqual([
      'nebula_router_no_such_metric',
    ]);
    expect(undocumented('nebula_router_request_duration_seconds_bucket + up')).toEqual([]);
  });
});

describe('Prometheus configuration and alert rules', () => {
  it('promtool check config accepts the scrape configs (standalone and compose)', async () => {
    const standalone = await promtool(['check', 'config', join(DEPLOY, 'prometheus/prometheus.yml')]);
    expect(standalone.output).toContain('SUCCESS');
    expect(standalone.code).toBe(0);
    // The compose variant mounts alerts.yml next to it: check it the same way.
    const dir = join(tmp.path, 'prom');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(DEPLOY, 'compose/prometheus.compose.yml'), join(dir, 'prometheus.yml'));
    copyFileSync(join(DEPLOY, 'prometheus/alerts.yml'), join(dir, 'alerts.yml'));
    const compose = await promtool(['check', 'config', join(dir, 'prometheus.yml')]);
    expect(compose.code).toBe(0);
  });

  it('scrapes every role on its default port', () => {
    const cfg = parseYaml(read('prometheus/prometheus.yml')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const ports = Object.fromEntries(
      cfg.scrape_configs.map((j) => [
        j.job_name,
        j.static_configs.flatMap((s) => s.targets.map((t) => t.split(':')[1])),
      ]),
    );
    expect(ports).toEqual({
      'nebula-router': ['8000', '8000'],
      'nebula-server': ['8080'],
      'nebula-scheduler': ['9091', '9091'],
      'nebula-node': ['9092', '9092'],
    });
  });

  it('promtool check rules and promtool test rules pass', async () => {
    const check = await promtool(['check', 'rules', join(DEPLOY, 'prometheus/alerts.yml')]);
    expect(check.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(check.code).toBe(0);
    const unit = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], {
      cwd: join(DEPLOY, 'prometheus'),
      encoding: 'utf8',
    });
    expect(unit.stdout + unit.stderr).toContain('SUCCESS');
    expect(unit.status).toBe(0);
  });

  it('promtool test rules fails when a rule stops matching its test (the tests bite)', () => {
    const dir = join(tmp.path, 'rules-broken');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'alerts.yml'), read('prometheus/alerts.yml').replace('>= 0.95', '>= 0.99'));
    copyFileSync(join(DEPLOY, 'prometheus/alerts.test.yml'), join(dir, 'alerts.test.yml'));
    const unit = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(unit.status).not.toBe(0);
    expect(unit.stdout + unit.stderr).toContain('NebulaDiskCritical');
  });

  it('has the alerts operators need, each with severity and summary, on documented metrics only', () => {
    const doc = parseYaml(read('prometheus/alerts.yml')) as {
      groups: {
        rules: {
          alert: string;
          expr: string;
          labels: Record<string, string>;
          annotations: Record<string, string>;
        }[];
      }[];
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'NebulaRouterHighErrorRate',
        'NebulaRouterHighLatencyP99',
        'NebulaTTFTSLOBreach',
        'NebulaModelNoReadyReplicas',
        'NebulaNodeDown',
        'NebulaDiskCritical',
        'NebulaSchedulerNoLeader',
        'NebulaEngineCrashLoop',
      ]),
    );
    for (const r of rules) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary).toBeTruthy();
      expect({ alert: r.alert, undocumented: undocumented(r.expr) }).toEqual({
        alert: r.alert,
        undocumented: [],
      });
    }
  });
});

describe('Grafana dashboards', () => {
  const files = readdirSync(join(DEPLOY, 'grafana/dashboards')).filter((f) => f.endsWith('.json'));

  interface Panel {
    type: string;
    title: string;
    targets?: { expr: string }[];
    panels?: Panel[];
  }

  it('cover the cluster, model SLOs, GPUs and nodes, with unique uids', () => {
    expect(files.sort()).toEqual(['cluster.json', 'gpus.json', 'model-slos.json', 'nodes.json']);
    const uids = files.map((f) => (JSON.parse(read(`grafana/dashboards/${f}`)) as { uid: string }).uid);
    expect(new Set(uids).size).toBe(files.length);
  });

  it.each(files)('%s: every query reads only metrics from docs/metrics.md', (file) => {
    const d = JSON.parse(read(`grafana/dashboards/${file}`)) as {
      title: string;
      panels: Panel[];
      templating: { list: { type: string; query?: string | { query: string } }[] };
    };
    const panels = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(3);
    const bad: string[] = [];
    for (const p of panels) {
      expect(p.targets?.length, `${file}: panel "${p.title}" has no query`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(metricNames(t.expr).length, `${p.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of undocumented(t.expr)) bad.push(`${p.title}: ${n}`);
      }
    }
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
      const m = /^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*[A-Za-z_]+\s*\)$/.exec(q);
      expect(m, `variable query ${q}`).not.toBeNull();
      if (m?.[1] && !documented.has(m[1])) bad.push(`variable: ${m[1]}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('systemd units', () => {
  const units = ['nebula-server', 'nebula-router', 'nebula-scheduler', 'nebula-node'];

  it('systemd-analyze verify accepts every unit and the etcd drop-in', () => {
    // A throwaway root where the binaries the units name exist, with the host's system units.
    const root = join(tmp.path, 'root');
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'etc/systemd/system/etcd.service.d'), { recursive: true });
    mkdirSync(join(root, 'lib/systemd'), { recursive: true });
    cpSync('/lib/systemd/system', join(root, 'lib/systemd/system'), { recursive: true, dereference: false });
    for (const bin of ['usr/local/bin/nebula', 'usr/bin/etcd', 'bin/kill']) {
      writeFileSync(join(root, bin), '#!/bin/sh\n');
      chmodSync(join(root, bin), 0o755);
    }
    for (const u of units)
      copyFileSync(join(DEPLOY, `systemd/${u}.service`), join(root, `etc/systemd/system/${u}.service`));
    copyFileSync(
      join(DEPLOY, 'systemd/etcd.service.d/nebula.conf'),
      join(root, 'etc/systemd/system/etcd.service.d/nebula.conf'),
    );
    for (const u of [...units, 'etcd']) {
      const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, `${u}.service`], {
        encoding: 'utf8',
      });
      expect({ unit: u, status: r.status, stderr: r.stderr }).toEqual({ unit: u, status: 0, stderr: '' });
    }
  });

  it('run `nebula <role>` with the shared and per-role environment files', () => {
    for (const u of units) {
      const text = read(`systemd/${u}.service`);
      const role = u.replace('nebula-', '');
      expect(text).toMatch(new RegExp(`^ExecStart=/usr/local/bin/nebula ${role}$`, 'm'));
      expect(text).toContain('EnvironmentFile=/etc/nebula/nebula.env');
      expect(text).toContain(`EnvironmentFile=-/etc/nebula/${role}.env`);
      expect(text).toMatch(/^User=nebula$/m);
    }
    // Engines survive an agent restart (adoption), so upgrades do not interrupt inference.
    const node = read('systemd/nebula-node.service');
    expect(node).toMatch(/^KillMode=process$/m);
    expect(node).toMatch(/^Environment=NEBULA_NODE_KEEP_ENGINES=1$/m);
  });

  it('example environment files configure real roles', () => {
    const env = (f: string) =>
      Object.fromEntries(
        read(`systemd/${f}`)
          .split('\n')
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      ) as Record<string, string>;
    const shared = env('nebula.env.example');
    const node = resolveNodeCliConfig({}, { ...shared, ...env('node.env.example') });
    expect(node.agent).toMatchObject({
      nodeId: 'gpu-1',
      address: '10.0.1.11',
      adminToken: expect.any(String),
    });
    expect(resolveServerCli({}, { ...shared, ...env('server.env.example') }).etcd).toHaveLength(3);
    expect(resolveRouterCli({}, { ...shared, ...env('router.env.example') }).options.policy).toBe(
      'least-outstanding',
    );
    expect(resolveSchedulerCli({}, shared).etcd).toHaveLength(3);
  });
});

/** `${VAR:-default}` / `${VAR}` as compose interpolates them, with an empty environment. */
function interpolate(v: unknown): string {
  return String(v).replace(
    /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
    (_m, _name: string, def?: string) => def ?? '',
  );
}

describe('docker compose', () => {
  interface Service {
    image?: string;
    build?: unknown;
    command?: string[];
    profiles?: string[];
    environment?: Record<string, unknown>;
    healthcheck?: { test: string[] };
    depends_on?: Record<string, { condition: string }>;
    ports?: string[];
    volumes?: string[];
  }
  const compose = parseYaml(read('compose/docker-compose.yml'), { merge: true }) as {
    services: Record<string, Service>;
  };
  const s = compose.services;
  const envOf = (name: string) =>
    Object.fromEntries(Object.entries(s[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));

  it('runs etcd and every role, each with a healthcheck, after etcd is healthy', () => {
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['etcd', 'scheduler', 'server', 'router', 'node']));
    expect(s['etcd']?.healthcheck?.test.join(' ')).toContain('endpoint health');
    for (const role of ['scheduler', 'server', 'router', 'node']) {
      const svc = s[role] as Service;
      expect(svc.command?.[0]).toBe(role);
      expect(svc.build).toBeDefined();
      expect(svc.healthcheck?.test.join(' ')).toMatch(/\/healthz/);
      expect(svc.depends_on).toEqual({ etcd: { condition: 'service_healthy' } });
      expect(envOf(role)['NEBULA_ETCD']).toBe('http://etcd:2379');
    }
    expect(s['server']?.ports?.map(interpolate)).toEqual(['8080:8080']);
    expect(s['router']?.ports?.map(interpolate)).toEqual(['8000:8000', '8001:8001']);
  });

  it('configures each role through NEBULA_* variables the roles accept', () => {
    expect(resolveSchedulerCli({}, envOf('scheduler'))).toMatchObject({ metricsPort: 9091, host: '0.0.0.0' });
    expect(resolveServerCli({}, envOf('server')).options).toMatchObject({ port: 8080 });
    expect(resolveRouterCli({}, envOf('router')).options).toMatchObject({ port: 8000, grpcPort: 8001 });
    const node = resolveNodeCliConfig({}, envOf('node'));
    expect(node.agent).toMatchObject({ nodeId: 'node-1', address: 'node', gpus: 'sim:2x80GiB' });
  });

  it('has the lite profile: router with static tokens and an upstream from the environment', () => {
    expect(s['router-lite']?.profiles).toEqual(['lite']);
    expect(s['engine-sim']?.profiles).toEqual(['lite']);
    const cfg = resolveRouterCli(
      {},
      { ...envOf('router-lite'), NEBULA_TOKENS_FILE: join(DEPLOY, 'compose/lite/tokens.yaml') },
    );
    expect(cfg.etcd).toBeUndefined();
    expect(cfg.options.staticUpstreams?.[0]?.targets[0]?.origin).toBe('http://engine-sim:8000');
    const tokens = buildTokenTable(parseYaml(read('compose/lite/tokens.yaml')), 'tokens.yaml');
    expect([...tokens.values()].map((p) => p.name)).toEqual(['demo']);
    expect(s['router-lite']?.volumes).toContain('./lite/tokens.yaml:/etc/nebula/tokens.yaml:ro');
  });

  it('mounts only files that exist', () => {
    for (const [name, svc] of Object.entries(s)) {
      for (const v of svc.volumes ?? []) {
        const src = v.split(':')[0] ?? '';
        if (!src.startsWith('.')) continue;
        expect(() => readFileSync(join(DEPLOY, 'compose', src)), `${name}: ${src}`).not.toThrow(/ENOENT/);
      }
    }
  });
});

describe('Helm chart', () => {
  const chartDir = join(DEPLOY, 'helm/nebula');
  const values = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const templates = readdirSync(join(chartDir, 'templates'));
  const text = (f: string) => readFileSync(join(chartDir, 'templates', f), 'utf8');

  it('has a chart and templates for etcd, the roles, the node DaemonSet, services, ConfigMap and Secret', () => {
    const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'nebula', type: 'application' });
    const kinds = templates.flatMap((f) => [...text(f).matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]));
    expect(kinds.sort()).toEqual(
      [
        'ConfigMap',
        'DaemonSet',
        'Deployment',
        'Deployment',
        'Deployment',
        'Secret',
        'Service',
        'Service',
        'Service',
        'Service',
        'Service',
        'StatefulSet',
      ].sort(),
    );
  });

  it('templates reference only values that values.yaml defines', () => {
    const missing: string[] = [];
    for (const f of templates) {
      for (const m of text(f).matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        let node: unknown = values;
        for (const part of (m[1] ?? '').slice(1).split('.')) {
          if (node === null || typeof node !== 'object' || !(part in node)) {
            missing.push(`${f}: .Values${m[1]}`);
            break;
          }
          node = (node as Record<string, unknown>)[part];
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('templates balance their blocks and include only defined helpers', () => {
    const helpers = new Set([...text('_helpers.tpl').matchAll(/\{\{-? define "([^"]+)"/g)].map((m) => m[1]));
    for (const f of templates) {
      const t = text(f);
      const opens = (t.match(/\{\{-?\s*(if|range|with|define)\b/g) ?? []).length;
      const ends = (t.match(/\{\{-?\s*end\s*-?\}\}/g) ?? []).length;
      expect({ f, opens }).toEqual({ f, opens: ends });
      for (const m of t.matchAll(/include "([^"]+)"/g)) expect(helpers.has(m[1]), `${f}: ${m[1]}`).toBe(true);
    }
  });
});

describe('NEBULA_* variables in deploy files', () => {
  it('are all read by the code (no typos)', () => {
    const files = [
      'compose/docker-compose.yml',
      'compose/.env.example',
      'systemd/nebula.env.example',
      'systemd/node.env.example',
      'systemd/server.env.example',
      'systemd/router.env.example',
      'systemd/nebula-server.service',
      'systemd/nebula-router.service',
      'systemd/nebula-scheduler.service',
      'systemd/nebula-node.service',
      ...readdirSync(join(DEPLOY, 'helm/nebula/templates')).map((f) => `helm/nebula/templates/${f}`),
    ];
    const unknown: string[] = [];
    for (const f of files) {
      for (const m of read(f).matchAll(/\bNEBULA_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])/g)) {
        // Compose-only knobs (image, published ports) are interpolated by compose, not read by Nebula.
        if (/^NEBULA_(IMAGE|LITE_[A-Z_]+)$/.test(m[0])) continue;
        if (!KNOWN_VARS.has(m[0])) unknown.push(`${f}: ${m[0]}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
