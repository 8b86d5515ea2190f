import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AuditEvent } from '../../src/core/domain/index.js';
import { createLogger } from '../../src/core/logger.js';
import { prefixes } from '../../src/core/keys.js';
import { listJson } from '../../src/store/json.js';
import { PASSWORD, useApp } from './helpers.js';

describe('audit trail', () => {
  const lines: string[] = [];
  const t = useApp({}, () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    return { logger: createLogger({ component: 'server', destination: sink }) };
  });

  const stored = async () => (await listJson(t.store, prefixes.audit, AuditEvent)).items.map((i) => i.value);

  it('writes exactly one event per mutating request, successes and failures alike, and none for reads', async () => {
    const before = (await stored()).length;
    const cases: {
      method: string;
      path: string;
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      status: number;
      action: string;
      result: string;
    }[] = [
      {
        method: 'POST',
        path: '/api/v2/models',
        token: t.tokens.operator,
        body: { model_uid: 'audited', model_name: 'a/b', model_source: 'huggingface', engine_type: 'vllm' },
        status: 201,
        action: 'model.create',
        result: 'success',
      },
      {
        method: 'POST',
        path: '/api/v2/models',
        token: t.tokens.operator,
        body: { model_uid: 'audited', model_name: 'a/b', model_source: 'huggingface', engine_type: 'vllm' },
        status: 409,
        action: 'model.create',
        result: 'failure',
      },
      {
        method: 'POST',
        path: '/api/v2/models',
        token: t.tokens.operator,
        body: { model_name: 'a/b' },
        status: 422,
        action: 'model.create',
        result: 'failure',
      },
      {
        method: 'POST',
        path: '/api/v2/models',
        body: {},
        status: 401,
        action: 'model.create',
        result: 'failure',
      },
      {
        method: 'DELETE',
        path: '/api/v2/models/audited',
        token: t.tokens.viewer,
        status: 403,
        action: 'model.delete',
        result: 'failure',
      },
      {
        method: 'PUT',
        path: '/api/v2/models/audited/scale',
        token: t.tokens.operator,
        body: { replicas: 2 },
        headers: { 'x-request-id': 'req-abc-123' },
        status: 200,
        action: 'model.scale',
        result: 'success',
      },
      {
        method: 'POST',
        path: '/api/v2/nope',
        token: t.tokens.admin,
        body: {},
        status: 404,
        action: 'unknown',
        result: 'failure',
      },
      {
        method: 'DELETE',
        path: '/api/v2/models/audited',
        token: t.tokens.admin,
        status: 200,
        action: 'model.delete',
        result: 'success',
      },
      {
        method: 'POST',
        path: '/api/v2/auth/login',
        body: { username: 'admin', password: 'wrong-one' },
        status: 401,
        action: 'auth.login',
        result: 'failure',
      },
      {
        method: 'POST',
        path: '/api/v2/auth/login',
        body: { username: 'admin', password: PASSWORD },
        status: 200,
        action: 'auth.login',
        result: 'success',
      },
    ];
    for (const c of cases) {
      const res = await t.call(c.method, c.path, { token: c.token, body: c.body, headers: c.headers });
      expect(res.status, `${c.method} ${c.path}`).toBe(c.status);
    }
    await t.call('GET', '/api/v2/models', { token: t.tokens.viewer });
    await t.call('GET', '/api/v2/nope', { token: t.tokens.viewer });
    const events = (await stored()).slice(before);
    expect(events).toHaveLength(cases.length);
    events.forEach((e, i) => {
      const c = cases[i];
      if (!c) throw new Error('missing case');
      expect(e, `${c.method} ${c.path}`).toMatchObject({
        action: c.action,
        result: c.result,
        status_code: c.status,
      });
      expect(e.request_id).toMatch(/^[A-Za-z0-9._:-]+$/);
      expect(e.source_ip).toBeTruthy();
    });
    expect(events[0]).toMatchObject({
      actor: 'operator',
      role: 'operator',
      auth_method: 'api_key',
      resource: 'model/audited',
    });
    expect(events[3]).toMatchObject({ actor: 'anonymous', role: null, auth_method: 'anonymous' });
    expect(events[5]).toMatchObject({ request_id: 'req-abc-123', details: { replicas: 2 } });
    expect(events[8]).toMatchObject({ actor: 'admin', role: null, result: 'failure' });
    expect(events[9]).toMatchObject({ actor: 'admin', role: 'admin', auth_method: 'jwt' });
    // also as JSON log lines
    const logged = lines
      .map((l) => JSON.parse(l) as { msg: string; audit?: { request_id: string } })
      .filter((l) => l.msg === 'audit');
    expect(logged.some((l) => l.audit?.request_id === 'req-abc-123')).toBe(true);
  });

  it('echoes or generates X-Request-Id', async () => {
    const a = await t.call('GET', '/api/v2/models', {
      token: t.tokens.viewer,
      headers: { 'x-request-id': 'my-id-1' },
    });
    expect(a.headers.get('x-request-id')).toBe('my-id-1');
    const b = await t.call('GET', '/api/v2/models', {
      token: t.tokens.viewer,
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is written once even when the handler throws', async () => {
    const before = (await stored()).length;
    const ctx = t.app.context;
    const original = ctx.models.stop.bind(ctx.models);
    ctx.models.stop = async () => {
      throw new Error('boom');
    };
    try {
      await t.json('POST', '/api/v2/models', {
        token: t.tokens.operator,
        body: { model_uid: 'thrower', model_name: 'a/b', model_source: 'huggingface', engine_type: 'vllm' },
      });
      const res = await t.call('POST', '/api/v2/models/thrower/stop', { token: t.tokens.operator });
      expect(res.status).toBe(500);
      expect((await res.json()).error).toEqual({ code: 'INTERNAL', message: 'internal error' });
    } finally {
      ctx.models.stop = original;
    }
    const events = (await stored()).slice(before);
    expect(events.map((e) => [e.action, e.status_code])).toEqual([
      ['model.create', 201],
      ['model.stop', 500],
    ]);
  });

  it('is queryable by admins: newest first, by actor, action (or prefix) and since', async () => {
    const all = await t.json('GET', '/api/v2/audit?limit=1000', { token: t.tokens.admin });
    const times = all.items.map((e: { id: string }) => e.id);
    expect([...times].sort().reverse()).toEqual(times);
    const creates = await t.json('GET', '/api/v2/audit?action=model.create', { token: t.tokens.admin });
    expect(creates.items.length).toBeGreaterThanOrEqual(4);
    expect(creates.items.every((e: { action: string }) => e.action === 'model.create')).toBe(true);
    const models = await t.json('GET', '/api/v2/audit?action=model.', { token: t.tokens.admin });
    expect(new Set(models.items.map((e: { action: string }) => e.action))).toEqual(
      new Set(['model.create', 'model.delete', 'model.scale', 'model.stop']),
    );
    const anon = await t.json('GET', '/api/v2/audit?actor=anonymous', { token: t.tokens.admin });
    expect(anon.items.length).toBeGreaterThanOrEqual(1);
    const limited = await t.json('GET', '/api/v2/audit?limit=2', { token: t.tokens.admin });
    expect(limited.items).toHaveLength(2);
    const future = await t.json(
      'GET',
      `/api/v2/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      { token: t.tokens.admin },
    );
    expect(future.items).toEqual([]);
    const recent = await t.json(
      'GET',
      `/api/v2/audit?since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`,
      { token: t.tokens.admin },
    );
    expect(recent.items.length).toBe(all.items.length);
    expect((await t.call('GET', '/api/v2/audit?since=yesterday', { token: t.tokens.admin })).status).toBe(
      400,
    );
  });

  it('stores at most a budget of anonymous 401s per address (the rest are only logged)', async () => {
    const before = (await stored()).length;
    for (let i = 0; i < 40; i++)
      expect((await t.call('POST', '/api/v2/models', { body: {} })).status).toBe(401);
    const added = (await stored()).length - before;
    expect(added).toBeGreaterThanOrEqual(20);
    expect(added).toBeLessThan(40);
    const logged = lines.filter(
      (l) => l.includes('"msg":"audit"') && l.includes('"actor":"anonymous"'),
    ).length;
    expect(logged).toBeGreaterThanOrEqual(40);
    expect(
      await t.app.context.metrics.registry.getSingleMetricAsString('nebula_server_audit_writes_total'),
    ).toMatch(/result="log_only"[^}]*\} [1-9]/);
  });

  it('keeps audit keys under a retention lease', async () => {
    const res = await t.store.list(prefixes.audit);
    expect(res.items.length).toBeGreaterThan(0);
    expect(res.items.every((kv) => kv.lease !== undefined)).toBe(true);
  });
});
