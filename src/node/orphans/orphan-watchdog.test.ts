import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/wait-for.js';
import { agentLockPath, type AgentLockHolder } from './agent-lock.js';
import { runOrphanWatchdog } from './orphan-watchdog.js';
import { isSameProcessAlive, readProcEnviron, readProcStat } from '../proc/index.js';
import { AGENT_MARKER_ENV, REPLICA_MARKER_ENV } from '../replica/index.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nebula-watchdog-'));
  dirs.push(d);
  return d;
}

/** A fake engine: a detached process group (a shell and its `sleep` child) carrying the agent's marker. */
function engine(dir: string, extraEnv: Record<string, string> = {}): ChildProcess {
  const c = spawn('sh', ['-c', 'sleep 60 & wait'], {
    detached: true,
    stdio: 'ignore',
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      [AGENT_MARKER_ENV]: dir,
      [REPLICA_MARKER_ENV]: 'm/0',
      ...extraEnv,
    },
  });
  children.push(c);
  return c;
}

/** An "agent": a live process we can kill (its pid and start time identify it, as the lock file does). */
function fakeAgent(): { proc: ChildProcess; holder: AgentLockHolder } {
  const proc = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  children.push(proc);
  const holder = { pid: proc.pid!, start_time: readProcStat(proc.pid!)!.startTime, instance: 'agent-1' };
  return { proc, holder };
}

/** Until its exec, a spawned child is a copy of this process: wait until it carries its marker. */
const marked = (dir: string, ...cs: ChildProcess[]) =>
  waitFor(() => cs.every((c) => readProcEnviron(c.pid!)?.get(AGENT_MARKER_ENV) === dir), {
    timeoutMs: 5_000,
    intervalMs: 5,
    what: 'the engines to start',
  });

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => c.once('exit', () => r()));

describe('orphan watchdog (real processes)', () => {
  it('stops the engines of an agent that is gone for the grace, and only those', async () => {
    const dir = dataDir();
    const { holder } = fakeAgent();
    const mine = [engine(dir), engine(dir)];
    const otherDir = dataDir();
    const other = engine(otherDir);
    await marked(dir, ...mine);
    await marked(otherDir, other);
    const input = new PassThrough();
    const lines: string[] = [];
    const started = Date.now();
    const done = runOrphanWatchdog(
      { dataDir: dir, agent: holder, graceMs: 300, killGraceMs: 2_000 },
      { input, log: (l) => lines.push(l), pollMs: 50 },
    );
    // The agent dies: its end of the pipe closes.
    input.end();
    expect(await done).toBe('killed');
    await Promise.all(mine.map(exited));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(other.exitCode === null && other.signalCode === null).toBe(true);
    expect(lines.join('\n')).toMatch(/stopped \d engine process/);
  });

  it('leaves the engines to a new agent that takes the lock within the grace', async () => {
    const dir = dataDir();
    const { holder } = fakeAgent();
    const e = engine(dir);
    const next = fakeAgent();
    const input = new PassThrough();
    const lines: string[] = [];
    const done = runOrphanWatchdog(
      { dataDir: dir, agent: holder, graceMs: 5_000, killGraceMs: 1_000 },
      { input, log: (l) => lines.push(l), pollMs: 50 },
    );
    input.end();
    // The new agent comes while the watchdog waits out its grace.
    await waitFor(() => lines.some((l) => l.includes('is gone; waiting')), {
      timeoutMs: 5_000,
      intervalMs: 5,
      what: 'the watchdog to notice the agent gone',
    });
    writeFileSync(agentLockPath(dir), JSON.stringify({ ...next.holder, instance: 'agent-2' }));
    expect(await done).toBe('taken-over');
    expect(isSameProcessAlive(e.pid!, readProcStat(e.pid!)!.startTime)).toBe(true);
  });

  it('exits on a clean stop, and notices an agent that died without closing its pipe', async () => {
    const dir = dataDir();
    const e = engine(dir);
    const a = fakeAgent();
    const input = new PassThrough();
    const clean = runOrphanWatchdog(
      { dataDir: dir, agent: a.holder, graceMs: 100, killGraceMs: 1_000 },
      { input, pollMs: 50 },
    );
    input.write('stop\n');
    expect(await clean).toBe('stopped');

    const b = fakeAgent();
    const open = new PassThrough();
    const p = runOrphanWatchdog(
      { dataDir: dir, agent: b.holder, graceMs: 100, killGraceMs: 1_000 },
      { input: open, pollMs: 50 },
    );
    process.kill(b.proc.pid!, 'SIGKILL');
    expect(await p).toBe('killed');
    await exited(e);
  });

  it('stops frozen engines and ones that ignore SIGTERM', async () => {
    const dir = dataDir();
    const { holder } = fakeAgent();
    const stubborn = spawn('sh', ['-c', 'trap "" TERM; sleep 60 & wait; sleep 60'], {
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', [AGENT_MARKER_ENV]: dir },
    });
    children.push(stubborn);
    const frozen = engine(dir);
    await marked(dir, stubborn, frozen);
    process.kill(-frozen.pid!, 'SIGSTOP');
    const input = new PassThrough();
    const p = runOrphanWatchdog(
      { dataDir: dir, agent: holder, graceMs: 0, killGraceMs: 500 },
      { input, pollMs: 50 },
    );
    input.end();
    expect(await p).toBe('killed');
    await Promise.all([exited(stubborn), exited(frozen)]);
  });
});
