/**
 * The engines this node can launch, found and kept current in the background: the configured executable
 * of an engine (`--engine-bin`, the only candidate when set), else what `nebula engine install` put in the
 * cache, else the PATH. Each candidate must pass `checkExecutable` and its version probe. Files are
 * re-checked every `rescanMs` (cheap stats); a version is probed again only when the file changed or
 * `reprobeMs` passed. The heartbeat reads `snapshot()`, which never waits for a probe.
 */
import type { ChildProcess } from 'node:child_process';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { EngineType, NodeEngine, NodeEngineError } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import {
  DETECTABLE_ENGINES,
  ENGINE_PROGRAMS,
  INSTALLED_PROGRAM,
  type DetectableEngine,
  type EngineBins,
} from './engine-bins.js';
import { checkExecutable, firstOnPath, installedCandidates } from './engine-executable.js';
import { killGroup, runProbe, VERSION_PROBES, type ProbeResult } from './engine-probe.js';

export interface EngineDetectorOptions {
  /** `--engine-bin`: the executable per engine. */
  bins: EngineBins;
  /** Install folders per engine (see `defaultInstallRoots`). */
  installRoots: Partial<Record<DetectableEngine, readonly string[]>>;
  /** PATH to search (default the agent's). */
  pathEnv?: string | undefined;
  /** How the `sim` engine is run (nebula itself): listed as always present. */
  sim: { path: string; version: string };
  /** Environment of the version probes (default the agent's). */
  probeEnv?: NodeJS.ProcessEnv;
  probeTimeoutMs?: number;
  rescanMs?: number;
  reprobeMs?: number;
  clock: Clock;
  logger: Logger;
  /** The snapshot changed (an engine appeared, vanished or reported its version). */
  onChange?: () => void;
}

export interface EngineSnapshot {
  engines: NodeEngine[];
  errors: NodeEngineError[];
}

interface ProbeMemo {
  identity: string;
  at: number;
  result: ProbeResult;
  /** The last successful result for this same file: kept when a later probe of it times out. */
  lastGood?: ProbeResult & { ok: true };
}

type Outcome =
  { kind: 'found'; engine: NodeEngine } | { kind: 'error'; error: NodeEngineError } | { kind: 'absent' };

export const DEFAULT_PROBE_TIMEOUT_MS = 30_000;
export const DEFAULT_RESCAN_MS = 30_000;
export const DEFAULT_REPROBE_MS = 10 * 60_000;

export class EngineDetector {
  private current: EngineSnapshot | undefined;
  private readonly memo = new Map<string, ProbeMemo>();
  private readonly children = new Set<ChildProcess>();
  private refreshing: Promise<EngineSnapshot> | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly opts: EngineDetectorOptions) {}

  /** What the node can launch now; undefined until the first detection finished ("unknown"). */
  snapshot(): EngineSnapshot | undefined {
    return this.current;
  }

  /** The program to launch for `type` (undefined for `sim`, which runs nebula itself); waits for detection. */
  async executableFor(type: EngineType): Promise<string | undefined> {
    if (type === 'sim') return undefined;
    const snap = this.current ?? (await this.refresh());
    return snap.engines.find((e) => e.type === type)?.path;
  }

  /** Detects now (single flight) and returns the new snapshot. */
  refresh(): Promise<EngineSnapshot> {
    this.refreshing ??= this.detectAll().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** First detection, then a re-check every `rescanMs`. */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  /** Stops the loop and kills probes in flight. */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    for (const c of this.children) killGroup(c);
    this.children.clear();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.refresh()
        .catch((err: unknown) => this.opts.logger.warn({ err: errorMessage(err) }, 'engine detection failed'))
        .finally(() => this.schedule());
    }, this.opts.rescanMs ?? DEFAULT_RESCAN_MS);
  }

  private async detectAll(): Promise<EngineSnapshot> {
    const outcomes = await Promise.all(DETECTABLE_ENGINES.map((t) => this.detectOne(t)));
    const engines: NodeEngine[] = [{ type: 'sim', version: this.opts.sim.version, path: this.opts.sim.path }];
    const errors: NodeEngineError[] = [];
    for (const list of outcomes) {
      for (const o of list) {
        if (o.kind === 'found') engines.push(o.engine);
        else if (o.kind === 'error') errors.push(o.error);
      }
    }
    const next = { engines, errors };
    if (this.stopped) return next;
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    if (changed) this.logChanges(this.current, next);
    this.current = next;
    if (changed) this.opts.onChange?.();
    return next;
  }

  /** The first usable candidate of an engine, with the errors of the unusable ones before it. */
  private async detectOne(type: DetectableEngine): Promise<Outcome[]> {
    const configured = this.opts.bins[type];
    const probe = VERSION_PROBES[type];
    const candidates: { path: string; fromPath: boolean }[] = [];
    if (configured !== undefined) candidates.push({ path: configured, fromPath: false });
    else {
      const program = INSTALLED_PROGRAM[type];
      for (const root of this.opts.installRoots[type] ?? []) {
        if (program)
          for (const p of installedCandidates(root, program)) candidates.push({ path: p, fromPath: false });
      }
      const pathEnv = this.opts.pathEnv ?? process.env['PATH'];
      for (const program of ENGINE_PROGRAMS[type]) {
        const p = firstOnPath(program, pathEnv);
        if (p !== undefined) candidates.push({ path: p, fromPath: true });
      }
    }
    const out: Outcome[] = [];
    for (const c of candidates) {
      const check = checkExecutable(c.path);
      if (!check.ok) {
        // A program missing from one PATH folder is the normal case; anything else is worth saying.
        if (!(check.missing && c.fromPath)) out.push(errorOf(type, c.path, check.reason));
        continue;
      }
      const result = await this.probe(c.path, check.identity, probe.args);
      if (result.ok) {
        out.push({ kind: 'found', engine: { type, version: probe.parse(result.output), path: c.path } });
        return out;
      }
      if (!(c.fromPath && probe.failureMeansAbsent)) out.push(errorOf(type, c.path, result.reason));
    }
    if (out.length === 0) out.push({ kind: 'absent' });
    return out;
  }

  private async probe(path: string, identity: string, args: readonly string[]): Promise<ProbeResult> {
    const now = this.opts.clock.now();
    const memo = this.memo.get(path);
    const reprobeMs = this.opts.reprobeMs ?? DEFAULT_REPROBE_MS;
    if (memo && memo.identity === identity && now - memo.at < reprobeMs) return memo.result;
    const result = await runProbe(path, args, {
      timeoutMs: this.opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      ...(this.opts.probeEnv ? { env: this.opts.probeEnv } : {}),
      track: (child) => {
        this.children.add(child);
        return () => this.children.delete(child);
      },
    });
    const sameFile = memo?.identity === identity ? memo : undefined;
    const lastGood = result.ok ? result : sameFile?.lastGood;
    if (!result.ok && lastGood) {
      // The same file answered before: a slow or failed re-probe (a loaded machine) does not take the
      // engine away from running replicas; a changed file is probed afresh.
      this.opts.logger.warn(
        { path, reason: result.reason },
        'engine re-probe failed; keeping the last version',
      );
      this.memo.set(path, { identity, at: now, result: lastGood, lastGood });
      return lastGood;
    }
    this.memo.set(path, { identity, at: now, result, ...(lastGood ? { lastGood } : {}) });
    return result;
  }

  private logChanges(prev: EngineSnapshot | undefined, next: EngineSnapshot): void {
    const log = this.opts.logger;
    for (const e of next.engines) {
      const before = prev?.engines.find((p) => p.type === e.type);
      if (!before || before.path !== e.path || before.version !== e.version)
        log.info({ engine: e.type, version: e.version, path: e.path }, 'engine available');
    }
    for (const p of prev?.engines ?? []) {
      if (!next.engines.some((e) => e.type === p.type))
        log.warn({ engine: p.type, path: p.path }, 'engine gone');
    }
    for (const e of next.errors) {
      if (!prev?.errors.some((p) => p.type === e.type && p.path === e.path && p.error === e.error))
        log.warn({ engine: e.type, path: e.path, error: e.error }, 'engine unusable');
    }
  }
}

function errorOf(type: DetectableEngine, path: string, reason: string): Outcome {
  return { kind: 'error', error: { type, path, error: `${path} ${reason}`.slice(0, 400) } };
}
