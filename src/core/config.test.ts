import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseBytes, parseEtcdEndpoints, parsePortRange, resolveBool, resolveOption, resolvePort } from './config.js';

describe('config resolution: flag > NEBULA_* env > default', () => {
  it('prefers the flag, then the env, then the default', () => {
    expect(resolveOption('flag', 'NEBULA_X', 'def', { NEBULA_X: 'env' })).toBe('flag');
    expect(resolveOption(undefined, 'NEBULA_X', 'def', { NEBULA_X: 'env' })).toBe('env');
    expect(resolveOption(undefined, 'NEBULA_X', 'def', {})).toBe('def');
    expect(resolveOption('', 'NEBULA_X', 'def', { NEBULA_X: '' })).toBe('def');
  });
  it('validates ports and booleans', () => {
    expect(resolvePort(undefined, 'NEBULA_PORT', 8000, { NEBULA_PORT: '9000' })).toBe(9000);
    expect(() => resolvePort(undefined, 'NEBULA_PORT', 8000, { NEBULA_PORT: '99999' })).toThrow(ConfigError);
    expect(() => resolvePort('80a', 'NEBULA_PORT', 8000, {})).toThrow(/not a port/);
    expect(resolveBool(undefined, 'NEBULA_B', false, { NEBULA_B: 'yes' })).toBe(true);
    expect(() => resolveBool(undefined, 'NEBULA_B', false, { NEBULA_B: 'maybe' })).toThrow(ConfigError);
  });
  it('parses etcd endpoints, port ranges and sizes', () => {
    expect(parseEtcdEndpoints('http://h1:2379, http://h2:2379')).toEqual(['http://h1:2379', 'http://h2:2379']);
    expect(() => parseEtcdEndpoints('ftp://x')).toThrow(ConfigError);
    expect(() => parseEtcdEndpoints(' , ')).toThrow(ConfigError);
    expect(parsePortRange('40000-40999')).toEqual({ start: 40000, end: 40999 });
    expect(() => parsePortRange('5-4')).toThrow(ConfigError);
    expect(parseBytes('80GiB')).toBe(80 * 1024 ** 3);
    expect(parseBytes('1.5 GB')).toBe(1.5e9);
    expect(parseBytes('512')).toBe(512);
    expect(() => parseBytes('lots')).toThrow(ConfigError);
  });
});
