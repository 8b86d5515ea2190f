import { describe, expect, it } from 'vitest';
import { manifestFiles, type ListedFile } from './manifest.js';

const SHA = 'a'.repeat(64);
const OID = 'b'.repeat(40);
const urlOf = (path: string) => new URL(`https://hub.test/files/${path}`);

describe('manifestFiles', () => {
  it('keeps each listed digest, and names blobs by it only when asked (the Hugging Face layout)', () => {
    const listed: ListedFile[] = [
      { path: 'model.safetensors', size: 10, sha256: SHA },
      { path: 'config.json', size: 2, gitOid: OID },
      { path: 'README.md', size: 1 },
    ];
    expect(manifestFiles('org/m', listed, urlOf)).toEqual([
      { path: 'model.safetensors', size: 10, sha256: SHA, url: urlOf('model.safetensors') },
      { path: 'config.json', size: 2, gitOid: OID, url: urlOf('config.json') },
      { path: 'README.md', size: 1, url: urlOf('README.md') },
    ]);
    expect(manifestFiles('org/m', listed, urlOf, { blobKeys: true }).map((f) => f.blobKey)).toEqual([
      SHA,
      OID,
      undefined,
    ]);
  });

  it.each<[string, ListedFile[], RegExp]>([
    ['an unsafe path', [{ path: '../x', size: 1 }], /unsafe file path "..\/x" in org\/m/],
    [
      'a path listed twice',
      [
        { path: 'a.json', size: 1 },
        { path: 'a.json', size: 1 },
      ],
      /file list of org\/m: duplicate path a.json/,
    ],
    [
      'a malformed sha256',
      [{ path: 'a.bin', size: 1, sha256: 'A'.repeat(64) }],
      /file list of org\/m: invalid sha256 for a.bin/,
    ],
    [
      'a malformed blob id',
      [{ path: 'a.json', size: 1, gitOid: 'b'.repeat(39) }],
      /file list of org\/m: invalid blob id for a.json/,
    ],
  ])('refuses %s', (_what, listed, message) => {
    expect(() => manifestFiles('org/m', listed, urlOf)).toThrow(message);
  });
});
