import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, ensurePrivateFile, touchPrivateFile, writePrivateFile } from './private-files.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('private files', () => {
  let dir: string;
  let saved: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nebula-private-'));
    // The most permissive umask: modes must not depend on it.
    saved = process.umask(0);
  });
  afterEach(() => {
    process.umask(saved);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates directories 0700 and files 0600 whatever the umask', () => {
    const d = join(dir, 'a', 'b');
    expect(ensurePrivateDir(d)).toBeUndefined();
    expect(mode(d)).toBe(0o700);
    const f = join(d, 'f');
    expect(touchPrivateFile(f)).toBeUndefined();
    expect(mode(f)).toBe(0o600);
    writePrivateFile(join(d, 'k'), 'secret\n');
    expect(mode(join(d, 'k'))).toBe(0o600);
  });

  it('tightens looser ones and says what it changed', () => {
    const d = join(dir, 'd');
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    expect(ensurePrivateDir(d)).toEqual({ path: d, from: 0o755, to: 0o700 });
    expect(mode(d)).toBe(0o700);
    const f = join(d, 'f');
    writeFileSync(f, 'x', { mode: 0o644 });
    expect(ensurePrivateFile(f)).toEqual({ path: f, from: 0o644, to: 0o600 });
    expect(ensurePrivateFile(f)).toBeUndefined();
    chmodSync(f, 0o640);
    expect(touchPrivateFile(f)).toEqual({ path: f, from: 0o640, to: 0o600 });
    expect(readFileSync(f, 'utf8')).toBe('x');
    expect(ensurePrivateFile(join(d, 'missing'))).toBeUndefined();
  });

  it('never narrows a shared sticky directory such as /tmp', () => {
    const d = join(dir, 'shared');
    mkdirSync(d);
    chmodSync(d, 0o1777);
    expect(ensurePrivateDir(d)).toBeUndefined();
    expect(statSync(d).mode & 0o1777).toBe(0o1777);
  });

  it('exclusive writes never overwrite', () => {
    const f = join(dir, 'admin.key');
    writePrivateFile(f, 'first\n', { exclusive: true });
    expect(() => writePrivateFile(f, 'second\n', { exclusive: true })).toThrow(/EEXIST/);
    expect(readFileSync(f, 'utf8')).toBe('first\n');
  });
});
