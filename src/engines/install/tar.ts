/**
 * A minimal reader of (gzip-compressed) tar archives: finds one regular file by its path. Enough for npm
 * tarballs (ustar, with pax and GNU long-name headers); no links, no writing.
 */
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul === -1 ? raw.length : nul).toString('utf8');
}

/** Octal size field; GNU base-256 (high bit set) for files of 8 GiB and more. */
function sizeField(header: Buffer): number {
  const raw = header.subarray(124, 136);
  if ((raw[0] ?? 0) & 0x80) {
    let n = 0;
    for (let i = 1; i < raw.length; i++) n = n * 256 + (raw[i] ?? 0);
    return n;
  }
  const text = field(header, 124, 12).trim();
  const n = text === '' ? 0 : parseInt(text, 8);
  if (!Number.isFinite(n) || n < 0) throw new Error(`tar: bad size field "${text}"`);
  return n;
}

/** `path=` from a pax extended header's records (`<len> <key>=<value>\n`). */
function paxPath(data: Buffer): string | undefined {
  let pos = 0;
  let path: string | undefined;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq !== -1 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    pos += len;
  }
  return path;
}

/** The content of the regular file `name` in the (uncompressed) tar `tar`, or undefined when absent. */
export function readTarEntry(tar: Buffer, name: string): Buffer | undefined {
  let pos = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= tar.length) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) return undefined; // end-of-archive marker
    const size = sizeField(header);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = pos + BLOCK;
    const data = tar.subarray(dataStart, dataStart + size);
    if (data.length < size) throw new Error('tar: archive is truncated');
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const path = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if ((type === '0' || type === '\0') && path === name) return Buffer.from(data);
  }
  return undefined;
}

/** `readTarEntry` over a gzip-compressed tar (an npm `.tgz`). */
export function readTgzEntry(tgz: Buffer, name: string): Buffer | undefined {
  return readTarEntry(gunzipSync(tgz), name);
}
