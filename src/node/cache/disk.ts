/**
 * Disk status of the cache volume (statfs) -> `/node_disk/{node}`, and the disk-usage alert
 * `/alerts/{node}/disk_usage`: warning at >= 85 %, critical at >= 95 %, rewritten when the level changes
 * and deleted when usage falls below 85 %.
 */
import { statfs as fsStatfs } from 'node:fs/promises';
import type { Clock } from '../../core/clock.js';
import {
  DISK_CRITICAL_PERCENT,
  DISK_WARNING_PERCENT,
  DiskAlert,
  NodeDiskStatus,
  type AlertLevel,
} from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { decode, encode } from '../../store/json.js';
import type { Store } from '../../store/types.js';

/** What statfs(2) says, in blocks of `bsize` bytes. */
export interface StatFsResult {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}

export type StatFsFn = (path: string) => Promise<StatFsResult>;

export const defaultStatfs: StatFsFn = async (path) => {
  const s = await fsStatfs(path);
  return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail };
};

/** df's arithmetic: used = total - free; usage = used / (used + available to unprivileged users). */
export function diskStatus(nodeId: string, path: string, s: StatFsResult, nowMs: number): NodeDiskStatus {
  const total = s.blocks * s.bsize;
  const used = Math.max(0, (s.blocks - s.bfree) * s.bsize);
  const available = Math.max(0, s.bavail * s.bsize);
  const denom = used + available;
  const pct = denom > 0 ? Math.min(100, Math.max(0, (used / denom) * 100)) : 0;
  return {
    node_id: nodeId,
    path,
    total_bytes: Math.round(total),
    used_bytes: Math.round(used),
    available_bytes: Math.round(available),
    usage_percent: Math.round(pct * 100) / 100,
    updated_at: new Date(nowMs).toISOString(),
  };
}

export function diskLevel(usagePercent: number): AlertLevel | undefined {
  if (usagePercent >= DISK_CRITICAL_PERCENT) return 'critical';
  if (usagePercent >= DISK_WARNING_PERCENT) return 'warning';
  return undefined;
}

export class DiskMonitor {
  private level: AlertLevel | undefined;
  private loaded = false;
  private lastStatus: NodeDiskStatus | undefined;

  constructor(
    private readonly store: Store,
    private readonly opts: { nodeId: string; path: string; statfs: StatFsFn; clock: Clock; logger?: Logger },
  ) {}

  get status(): NodeDiskStatus | undefined {
    return this.lastStatus;
  }

  get alertLevel(): AlertLevel | undefined {
    return this.level;
  }

  /** Free bytes on the volume now (undefined when statfs fails). */
  async freeBytes(): Promise<number | undefined> {
    try {
      const s = await this.opts.statfs(this.opts.path);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  }

  /** Reads statfs, publishes the status, and raises, changes or clears the alert. */
  async check(): Promise<NodeDiskStatus> {
    const { nodeId, path, clock } = this.opts;
    const st = diskStatus(nodeId, path, await this.opts.statfs(path), clock.now());
    this.lastStatus = st;
    await this.store.put(keys.nodeDisk(nodeId), encode(NodeDiskStatus, st));
    const alertKey = keys.alert(nodeId, 'disk_usage');
    if (!this.loaded) {
      const kv = await this.store.get(alertKey);
      try {
        this.level = kv ? decode(DiskAlert, kv).value.level : undefined;
      } catch {
        this.level = undefined;
      }
      this.loaded = true;
    }
    const level = diskLevel(st.usage_percent);
    if (level === this.level) return st;
    if (!level) {
      await this.store.delete(alertKey);
      this.opts.logger?.info({ usage_percent: st.usage_percent }, 'disk usage back to normal; alert cleared');
    } else {
      const now = new Date(clock.now()).toISOString();
      const threshold = level === 'critical' ? DISK_CRITICAL_PERCENT : DISK_WARNING_PERCENT;
      const alert: DiskAlert = {
        node_id: nodeId,
        alert_type: 'disk_usage',
        level,
        message: `disk usage of ${path} on ${nodeId} is ${st.usage_percent.toFixed(1)}% (>= ${threshold}%): ${st.available_bytes} bytes available`,
        usage_percent: st.usage_percent,
        since: now,
        updated_at: now,
      };
      await this.store.put(alertKey, encode(DiskAlert, alert));
      this.opts.logger?.warn({ usage_percent: st.usage_percent, level }, 'disk usage alert');
    }
    this.level = level;
    return st;
  }
}
