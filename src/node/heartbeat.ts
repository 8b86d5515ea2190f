import type { Clock, TimerHandle } from '../core/clock.js';
import { NodeStatus, type Labels, type PortRange } from '../core/domain/index.js';
import { errorMessage } from '../core/errors.js';
import { keys } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import { nebulaVersion } from '../core/version.js';
import { encode } from '../store/json.js';
import type { Store } from '../store/types.js';
import type { EngineSnapshot } from './detect/index.js';
import type { GpuInventory } from './gpu/index.js';
import { foreignPortsInRange, listeningTcpPorts } from './proc/index.js';

export interface HeartbeatOptions {
  nodeId: string;
  address: string;
  adminPort: number;
  portRange: PortRange;
  labels: Labels;
  cacheDir: string;
  intervalMs: number;
  startedAt: number;
  /** Engines the node can launch; undefined while not detected yet (the status then omits them). */
  engines?: () => EngineSnapshot | undefined;
  clock: Clock;
  logger: Logger;
}

/**
 * Publishes `/nodes/{id}/status` under the node lease every `intervalMs`: GPUs (re-read each time),
 * ports of the range held by processes Nebula did not start, labels, version and timestamps. The status
 * key is the node's registration: it vanishes with the lease when the node goes away.
 */
export class Heartbeat {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly leaseId: () => string,
    private readonly gpus: GpuInventory,
    private readonly ownPorts: () => ReadonlySet<number>,
    private readonly opts: HeartbeatOptions,
    private readonly onFailure: () => void = () => undefined,
  ) {}

  /** Builds the status now (reads GPUs and ports). */
  async status(): Promise<NodeStatus> {
    const { gpus, source } = await this.gpus.refresh();
    const listening = await listeningTcpPorts();
    const now = new Date(this.opts.clock.now()).toISOString();
    const engines = this.opts.engines?.();
    return {
      node_id: this.opts.nodeId,
      address: this.opts.address,
      admin_port: this.opts.adminPort,
      gpus,
      gpu_source: source,
      port_range: this.opts.portRange,
      ports_in_use: foreignPortsInRange(listening, this.opts.portRange, this.ownPorts()),
      labels: this.opts.labels,
      cache_dir: this.opts.cacheDir,
      ...(engines ? { engines: engines.engines, engine_errors: engines.errors } : {}),
      version: nebulaVersion(),
      started_at: new Date(this.opts.startedAt).toISOString(),
      heartbeat_at: now,
    };
  }

  /** Writes the status once; rejects when the store refuses (counted as a heartbeat failure). */
  beat(): Promise<void> {
    // One write at a time: a slow store must not pile up heartbeats.
    this.beating ??= (async () => {
      try {
        const st = await this.status();
        await this.store.put(keys.nodeStatus(this.opts.nodeId), encode(NodeStatus, st), {
          lease: this.leaseId(),
        });
      } catch (err) {
        this.onFailure();
        throw err;
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.beat()
        .catch((err: unknown) =>
          this.opts.logger.warn({ err: errorMessage(err) }, 'heartbeat failed; will retry'),
        )
        .finally(() => this.schedule());
    }, this.opts.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
  }
}
