/**
 * The ModelScope cache layout (modelscope >= 1.18 with MODELSCOPE_CACHE set):
 *
 *   <MODELSCOPE_CACHE>/models/<org>/<name with '.' -> '___'>/   the model's files, plus
 *     .mdl   pickled {"id": "org/name"}
 *     .msc   pickled [{"Path": ..., "Revision": <commit>}, ...]: the files the library considers cached
 *     .mv    "Revision:<rev>,CreatedAt:<unix>"
 *   <MODELSCOPE_CACHE>/models/._____temp/<org>/<name>/            downloads in progress
 *
 * Older releases wrote `<MODELSCOPE_CACHE>/<org>/<name>` directly; the scanner reads both.
 */
import { join } from 'node:path';

export const MS_TEMP_FOLDER = '._____temp';

export function msCacheRoot(cacheDir: string): string {
  return join(cacheDir, 'modelscope', 'hub');
}

export function msModelsRoot(cacheDir: string): string {
  return join(msCacheRoot(cacheDir), 'models');
}

/** The library replaces dots in the model name (python imports would trip over them). */
export function msFolderName(name: string): string {
  return name.replace(/\./g, '___');
}

export function msUnfolderName(folder: string): string {
  return folder.replace(/___/g, '.');
}

export function msModelDir(cacheDir: string, org: string, name: string): string {
  return join(msModelsRoot(cacheDir), org, msFolderName(name));
}

export function msTempDir(cacheDir: string, org: string, name: string): string {
  return join(msModelsRoot(cacheDir), MS_TEMP_FOLDER, org, name);
}

type PickleValue = string | PickleValue[] | { [k: string]: PickleValue };

/**
 * Serialises strings, lists and string-keyed dicts as a protocol-2 pickle (what the modelscope library
 * reads back with pickle.load for `.mdl` and `.msc`).
 */
export function pickle(value: PickleValue): Buffer {
  const out: Buffer[] = [Buffer.from([0x80, 0x02])];
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const h = Buffer.alloc(5);
    h[0] = 0x58; // BINUNICODE
    h.writeUInt32LE(b.length, 1);
    out.push(h, b);
  };
  const emit = (v: PickleValue): void => {
    if (typeof v === 'string') return str(v);
    if (Array.isArray(v)) {
      out.push(Buffer.from(']')); // EMPTY_LIST
      if (v.length === 0) return;
      out.push(Buffer.from('(')); // MARK
      v.forEach(emit);
      out.push(Buffer.from('e')); // APPENDS
      return;
    }
    out.push(Buffer.from('}')); // EMPTY_DICT
    const entries = Object.entries(v);
    if (entries.length === 0) return;
    out.push(Buffer.from('('));
    for (const [k, x] of entries) {
      str(k);
      emit(x);
    }
    out.push(Buffer.from('u')); // SETITEMS
  };
  emit(value);
  out.push(Buffer.from('.')); // STOP
  return Buffer.concat(out);
}

/** Opcodes with fixed-size arguments (FRAME, BINPUT, LONG_BINPUT, BINGET, LONG_BINGET, BININT*, PROTO). */
const ARG_BYTES: Record<number, number> = {
  0x95: 8,
  0x71: 1,
  0x72: 4,
  0x68: 1,
  0x6a: 4,
  0x4a: 4,
  0x4b: 1,
  0x4d: 2,
  0x80: 1,
};

/**
 * The strings of a pickle, in order (BINUNICODE, SHORT_BINUNICODE, BINUNICODE8 and the protocol-0/1
 * unicode forms are enough to read `.mdl` files written by any Python 3).
 */
export function pickleStrings(buf: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < buf.length; i++) {
    const op = buf[i];
    if (op === 0x8c && i + 1 < buf.length) {
      const n = buf[i + 1] ?? 0;
      out.push(buf.toString('utf8', i + 2, i + 2 + n));
      i += 1 + n;
    } else if (op === 0x58 && i + 4 < buf.length) {
      const n = buf.readUInt32LE(i + 1);
      if (i + 5 + n > buf.length) break;
      out.push(buf.toString('utf8', i + 5, i + 5 + n));
      i += 4 + n;
    } else if (op !== undefined && op in ARG_BYTES) {
      i += ARG_BYTES[op] ?? 0; // an opcode with a fixed-size argument: skip the argument
    }
  }
  return out;
}

/** The model id stored in a `.mdl` file, if any. */
export function readMdlId(buf: Buffer): string | undefined {
  const s = pickleStrings(buf);
  const i = s.indexOf('id');
  const v = i >= 0 ? s[i + 1] : undefined;
  return v && v.includes('/') ? v : undefined;
}
