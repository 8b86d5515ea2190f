/**
 * Files that hold secrets (the embedded store with the JWT signing secret and every credential hash,
 * `admin.key`, CLI contexts with tokens) and the directories around them: owner-only, whatever the umask.
 * `open(..., mode)` only applies the mode when it creates the file, and then minus the umask, so every
 * helper here opens with the mode AND chmods the descriptor; existing files and directories that are
 * looser are tightened and reported, so the caller can warn.
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  statSync,
  writeSync,
} from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** A permission change made to a file or directory that was readable by others. */
export interface ModeFix {
  path: string;
  /** The mode it had (permission bits only). */
  from: number;
  to: number;
}

/** `0o644` as `"0644"`, for messages. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** One line per fix, for a log or a banner. */
export function describeFix(f: ModeFix): string {
  return `${f.path} was mode ${formatMode(f.from)}: changed to ${formatMode(f.to)}`;
}

function tighten(path: string, mode: number, want: number): ModeFix | undefined {
  const bits = mode & 0o777;
  // Group/other bits set, or the owner lacks what it needs: set exactly `want`.
  if ((bits & 0o077) === 0 && (bits & want) === want) return undefined;
  chmodSync(path, want);
  return { path, from: bits, to: want };
}

/**
 * Makes `dir` (and missing parents) exist; `dir` itself ends up 0700. Parents that already exist are left
 * alone (they may be shared, like a home directory), and so is a sticky `dir` (like /tmp). Returns the
 * fix when an existing `dir` was looser.
 */
export function ensurePrivateDir(dir: string): ModeFix | undefined {
  const existed = statSync(dir, { throwIfNoEntry: false });
  if (existed && !existed.isDirectory()) throw new Error(`${dir} exists and is not a directory`);
  if (!existed) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(dir, PRIVATE_DIR_MODE);
    return undefined;
  }
  // A sticky directory (/tmp and the like) is shared by design: never narrow it; its files stay 0600.
  if ((existed.mode & 0o1000) !== 0) return undefined;
  return tighten(dir, existed.mode, PRIVATE_DIR_MODE);
}

/** Tightens an existing file to 0600; a missing file is left missing. Returns the fix when it was looser. */
export function ensurePrivateFile(path: string): ModeFix | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st || !st.isFile()) return undefined;
  return tighten(path, st.mode, PRIVATE_FILE_MODE);
}

/**
 * Creates `path` empty with mode 0600 when it does not exist (so a program that opens it later, like
 * SQLite with its default 0644, finds an owner-only file and keeps its mode), or tightens it when it does.
 */
export function touchPrivateFile(path: string): ModeFix | undefined {
  const before = statSync(path, { throwIfNoEntry: false });
  const fd = openSync(path, 'a', PRIVATE_FILE_MODE);
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if (mode !== PRIVATE_FILE_MODE) fchmodSync(fd, PRIVATE_FILE_MODE);
    return before && (mode & 0o077) !== 0 ? { path, from: mode, to: PRIVATE_FILE_MODE } : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `text` to `path` with mode 0600 from the first byte on. With `exclusive` an existing file is
 * never overwritten: the call fails with EEXIST and the file is untouched.
 */
export function writePrivateFile(path: string, text: string, opts: { exclusive?: boolean } = {}): void {
  const fd = openSync(path, opts.exclusive ? 'wx' : 'w', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
