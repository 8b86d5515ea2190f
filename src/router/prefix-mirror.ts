import { systemClock, type Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Store, Watcher } from '../store/types.js';

export interface PrefixMirrorOptions {
  /** Called after the initial list, every batch of watch events and every re-list. */
  onChange: () => void;
  logger?: Logger | undefined;
  clock?: Clock | undefined;
  /** First and longest wait before re-listing after a watch failure. */
  retryMs?: { min: number; max: number };
}

/**
 * A live copy of the raw values under one store prefix: list, then watch from the list's revision + 1; when
 * the watch fails (compaction, lost connection) wait, re-list and watch again. Consumers read `entries`
 * synchronously and rebuild their view in `onChange`.
 */
export class PrefixMirror {
  private readonly map = new Map<string, string>();
  private watcher: Watcher | undefined;
  private stopped = false;
  private failures = 0;
  private readonly clock: Clock;
  private retryTimer: ReturnType<Clock['setTimeout']> | undefined;

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly opts: PrefixMirrorOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  get entries(): ReadonlyMap<string, string> {
    return this.map;
  }

  /** True while a watch is established. */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Lists and starts watching; rejects only when the first list fails. */
  async start(): Promise<void> {
    await this.sync();
  }

  private async sync(): Promise<void> {
    const listed = await this.store.list(this.prefix);
    if (this.stopped) return;
    this.map.clear();
    for (const kv of listed.items) this.map.set(kv.key, kv.value);
    this.opts.onChange();
    const watcher = await this.store.watch(this.prefix, {
      fromRevision: listed.revision + 1,
      onEvents: (events) => {
        for (const ev of events) {
          if (ev.type === 'put' && ev.value !== undefined) this.map.set(ev.key, ev.value);
          else this.map.delete(ev.key);
        }
        this.failures = 0;
        this.opts.onChange();
      },
      onError: (err) => this.onWatchError(err),
    });
    if (this.stopped) {
      await watcher.close();
      return;
    }
    this.watcher = watcher;
  }

  private onWatchError(err: Error): void {
    this.watcher = undefined;
    if (this.stopped) return;
    this.failures++;
    const retry = this.opts.retryMs ?? { min: 200, max: 5000 };
    const wait = Math.min(retry.max, retry.min * 2 ** Math.min(10, this.failures - 1));
    this.opts.logger?.warn(
      { prefix: this.prefix, err: errorMessage(err), retry_ms: wait },
      'watch ended; re-listing',
    );
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.sync().catch((e: unknown) => this.onWatchError(e instanceof Error ? e : new Error(String(e))));
    }, wait);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) this.clock.clearTimeout(this.retryTimer);
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close().catch(() => undefined);
  }
}
