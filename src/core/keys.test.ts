import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { keys, kindFilter, parseKey, prefixes, ALL_PREFIXES } from './keys.js';

describe('key layout', () => {
  it('builds the keys of DESIGN.md §2', () => {
    expect(keys.nodeStatus('gpu-node-1')).toBe('/nodes/gpu-node-1/status');
    expect(keys.modelSpec('demo')).toBe('/models/demo/spec');
    expect(keys.deployment('demo')).toBe('/deployments/demo');
    expect(keys.template('qwen2.5-7b')).toBe('/templates/qwen2.5-7b');
    expect(keys.modelRequest('req-1')).toBe('/model_requests/req-1');
    expect(keys.placement('demo')).toBe('/placements/demo');
    expect(keys.endpoint('demo', 3)).toBe('/endpoints/demo/3');
    expect(keys.modelCache('n1', 'abcdef0123456789')).toBe('/model_cache/n1/abcdef0123456789');
    expect(keys.downloadProgress('demo', 0)).toBe('/download_progress/demo/0');
    expect(keys.nodeDisk('n1')).toBe('/node_disk/n1');
    expect(keys.alert('n1', 'disk_usage')).toBe('/alerts/n1/disk_usage');
    expect(keys.user('admin')).toBe('/auth/users/admin');
    expect(keys.apiKey('k1234567')).toBe('/auth/api_keys/k1234567');
    expect(keys.event('demo', '000001-0000-abc')).toBe('/events/demo/000001-0000-abc');
  });

  it('round-trips every builder through parseKey', () => {
    const cases: [string, unknown][] = [
      [keys.nodeStatus('n1'), { kind: 'nodeStatus', nodeId: 'n1' }],
      [keys.nodeSettings('n1'), { kind: 'nodeSettings', nodeId: 'n1' }],
      [keys.component('router', 'r-1'), { kind: 'component', role: 'router', instanceId: 'r-1' }],
      [keys.modelSpec('demo'), { kind: 'modelSpec', modelUid: 'demo' }],
      [keys.deployment('demo'), { kind: 'deployment', modelUid: 'demo' }],
      [keys.template('t1'), { kind: 'template', templateId: 't1' }],
      [keys.modelRequest('r1'), { kind: 'modelRequest', requestId: 'r1' }],
      [keys.placement('demo'), { kind: 'placement', modelUid: 'demo' }],
      [keys.endpoint('demo', 12), { kind: 'endpoint', modelUid: 'demo', replicaId: 12 }],
      [keys.modelCache('n1', 'h1'), { kind: 'modelCache', nodeId: 'n1', nameHash: 'h1' }],
      [keys.downloadProgress('demo', 0), { kind: 'downloadProgress', modelUid: 'demo', replicaId: 0 }],
      [keys.nodeDisk('n1'), { kind: 'nodeDisk', nodeId: 'n1' }],
      [keys.alert('n1', 'disk_usage'), { kind: 'alert', nodeId: 'n1', alertType: 'disk_usage' }],
      [keys.user('bob'), { kind: 'user', username: 'bob' }],
      [keys.apiKey('abc12345'), { kind: 'apiKey', id: 'abc12345' }],
      [keys.audit('a1'), { kind: 'audit', id: 'a1' }],
      [keys.event('demo', 'e1'), { kind: 'event', modelUid: 'demo', id: 'e1' }],
      [keys.leader('scheduler'), { kind: 'leader', name: 'scheduler' }],
      [keys.meta('jwt-secret'), { kind: 'meta', name: 'jwt-secret' }],
      [keys.cachePurge('n1', 'h1'), { kind: 'cachePurge', nodeId: 'n1', nameHash: 'h1' }],
      [keys.settings('cluster'), { kind: 'settings', name: 'cluster' }],
      [keys.modelRevision('demo', 7), { kind: 'modelRevision', modelUid: 'demo', revision: 7 }],
      [keys.drain('demo', 2), { kind: 'drain', modelUid: 'demo', replicaId: 2 }],
      [keys.load('demo', 'router-1'), { kind: 'load', modelUid: 'demo', router: 'router-1' }],
      [keys.wake('demo'), { kind: 'wake', modelUid: 'demo' }],
      [keys.autoscaler('demo'), { kind: 'autoscaler', modelUid: 'demo' }],
      [keys.pull('demo', 'n1'), { kind: 'pull', modelUid: 'demo', nodeId: 'n1' }],
    ];
    for (const [key, parsed] of cases) expect(parseKey(key)).toEqual(parsed);
  });

  it('rejects ids that could address other keys', () => {
    expect(() => keys.modelSpec('../auth')).toThrow(InvalidArgumentError);
    expect(() => keys.modelSpec('Demo')).toThrow(/invalid model_uid/);
    expect(() => keys.nodeStatus('a/b')).toThrow(InvalidArgumentError);
    expect(() => keys.endpoint('demo', -1)).toThrow(InvalidArgumentError);
    expect(() => keys.endpoint('demo', 1.5)).toThrow(InvalidArgumentError);
    expect(() => keys.user('a/../b')).toThrow(InvalidArgumentError);
  });

  it('does not parse keys outside the layout', () => {
    for (const k of [
      '',
      '/',
      'nodes/n1/status',
      '/nodes/n1',
      '/nodes/n1/other',
      '/endpoints/demo/x',
      '/endpoints/demo/01',
      '/unknown/x',
      '/auth/other/x',
      // Plain-id keys with a segment too many, too few, or empty; directory names from Object's prototype.
      '/deployments/demo/x',
      '/load/demo',
      '/load/demo/',
      '/components/router//',
      '/constructor/x',
      '/__proto__/x',
      '/toString/x',
      '/drains/demo',
      '/download_progress/demo/01',
      '/drains/demo/1/x',
    ]) {
      expect(parseKey(k)).toBeUndefined();
    }
  });

  it('filters keys by kind (a prefix can hold several kinds)', () => {
    const isNode = kindFilter('nodeStatus');
    expect(isNode(keys.nodeStatus('n1'))).toBe(true);
    expect(isNode(keys.nodeSettings('n1'))).toBe(false);
    expect(isNode('/nodes/n1/other')).toBe(false);
  });

  it('lists every owned prefix once, each ending in a slash', () => {
    expect(new Set(ALL_PREFIXES).size).toBe(ALL_PREFIXES.length);
    for (const p of Object.values(prefixes)) expect(p.endsWith('/')).toBe(true);
    expect(ALL_PREFIXES).toContain('/auth/users/');
  });
});
