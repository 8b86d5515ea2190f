/**
 * Checks on a file the agent is about to run as an engine. Everything here is hostile input: a path from
 * a flag, the PATH or a cache folder other users may write to.
 */
import { accessSync, constants, readdirSync, statSync, type Stats } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export type ExecutableCheck =
  | { ok: true; path: string; stat: Stats; identity: string }
  | { ok: false; path: string; reason: string; missing: boolean };

/**
 * A file fit to launch: an absolute path to a regular file (symlinks followed), executable by the agent,
 * and not world-writable (any local user could replace what the agent runs). `identity` changes when the
 * file is replaced or rewritten, so a cached version probe is redone.
 */
export function checkExecutable(path: string): ExecutableCheck {
  if (!isAbsolute(path)) return { ok: false, path, reason: 'not an absolute path', missing: false };
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { ok: false, path, reason: 'does not exist', missing: true };
    return { ok: false, path, reason: `cannot stat: ${code ?? String(err)}`, missing: false };
  }
  if (!st.isFile()) return { ok: false, path, reason: 'is not a regular file', missing: false };
  if ((st.mode & 0o002) !== 0) {
    return { ok: false, path, reason: 'is world-writable (refusing to run it)', missing: false };
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { ok: false, path, reason: 'is not executable', missing: false };
  }
  return { ok: true, path, stat: st, identity: `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}` };
}

/**
 * What running `program` by name would run: its first match on a PATH string (existing and not a
 * directory), or undefined. Only that one is a candidate, as for a shell: probing every copy on the PATH
 * would cost a process each (slow pyenv shims included). Relative and empty PATH entries are skipped:
 * they resolve against the agent's working directory.
 */
export function firstOnPath(program: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, program);
    try {
      if (!statSync(candidate).isDirectory()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Compares version strings segment by segment, numbers numerically ("b4589" < "b10000", "1.10" > "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_]/);
  const pb = b.split(/[.\-_]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = /^[a-z]*(\d+)$/i.exec(x);
    const ny = /^[a-z]*(\d+)$/i.exec(y);
    if (nx?.[1] !== undefined && ny?.[1] !== undefined) {
      const d = Number(nx[1]) - Number(ny[1]);
      if (d !== 0) return d;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Binaries under an install root (`<root>/<version>-<cpu|cuda>/bin/<program>`), newest version first and,
 * within a version, the CUDA build before the CPU one (a CUDA build only exists where nvcc was found; if
 * it cannot run, its version probe fails and the CPU build is next).
 */
export function installedCandidates(root: string, program: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const builds: { dir: string; version: string; variant: string }[] = [];
  for (const dir of names) {
    const m = /^(.+)-(cpu|cuda)$/.exec(dir);
    if (m?.[1] && m[2]) builds.push({ dir, version: m[1], variant: m[2] });
  }
  builds.sort(
    (a, b) =>
      compareVersions(b.version, a.version) || (a.variant === b.variant ? 0 : a.variant === 'cuda' ? -1 : 1),
  );
  return builds.map((b) => join(root, b.dir, 'bin', program));
}
