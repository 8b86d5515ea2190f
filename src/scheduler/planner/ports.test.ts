import { describe, expect, it } from 'vitest';
import { parseDuration, resolveSchedulerCli } from '../cli-options.js';
import { PortPool } from './ports.js';

describe('PortPool', () => {
  it('allocates the lowest free port, skipping external and claimed ones', () => {
    const p = new PortPool({ start: 100, end: 105 }, [100, 102]);
    expect(p.claim(101)).toBe(true);
    expect(p.allocate()).toBe(103);
    expect(p.allocate()).toBe(104);
    expect(p.allocate()).toBe(105);
    expect(p.allocate()).toBeUndefined();
    p.release(101);
    expect(p.allocate()).toBe(101);
  });

  it('refuses to claim ports outside the range, external or taken', () => {
    const p = new PortPool({ start: 100, end: 101 }, [101]);
    expect(p.claim(99)).toBe(false);
    expect(p.claim(101)).toBe(false);
    expect(p.isExternal(101)).toBe(true);
    expect(p.claim(100)).toBe(true);
    expect(p.claim(100)).toBe(false);
    expect(p.size).toBe(2);
  });
});

describe('scheduler CLI options', () => {
  it('parses durations', () => {
    expect(parseDuration('50s', 'x')).toBe(50_000);
    expect(parseDuration('2m', 'x')).toBe(120_000);
    expect(parseDuration('1500ms', 'x')).toBe(1500);
    expect(parseDuration('30', 'x')).toBe(30_000);
    expect(() => parseDuration('soon', '--grace-period')).toThrow('--grace-period: "soon" is not a duration');
  });

  it('takes flags over NEBULA_* variables over defaults', () => {
    const env = {
      NEBULA_ETCD: 'http://e:2379',
      NEBULA_SCHEDULER_METRICS_PORT: '9999',
      NEBULA_SCHEDULER_GRACE_PERIOD: '10s',
    };
    expect(resolveSchedulerCli({}, env)).toEqual({
      etcd: ['http://e:2379'],
      metricsPort: 9999,
      gracePeriodMs: 10_000,
    });
    expect(
      resolveSchedulerCli({ metricsPort: '0', gracePeriod: '1m', instanceId: 's-1', leaseTtl: '5s' }, env),
    ).toEqual({
      etcd: ['http://e:2379'],
      metricsPort: 0,
      gracePeriodMs: 60_000,
      instanceId: 's-1',
      leaseTtlSeconds: 5,
    });
  });

  it('refuses what makes no sense', () => {
    expect(() => resolveSchedulerCli({}, {})).toThrow('--etcd (or NEBULA_ETCD) is required');
    expect(() => resolveSchedulerCli({ etcd: 'ftp://x' }, {})).toThrow('must be http');
    expect(() => resolveSchedulerCli({ etcd: 'http://x:1', instanceId: 'a/b' }, {})).toThrow('--instance-id');
    expect(() => resolveSchedulerCli({ etcd: 'http://x:1', metricsPort: '70000' }, {})).toThrow(
      '--metrics-port',
    );
    expect(() => resolveSchedulerCli({ etcd: 'http://x:1', leaseTtl: '900s' }, {})).toThrow('--lease-ttl');
  });
});
