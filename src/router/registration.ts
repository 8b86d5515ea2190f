import { hostname, networkInterfaces } from 'node:os';
import type { Clock, TimerHandle } from '../core/clock.js';
import { ComponentStatus } from '../core/domain/node.js';
import { errorMessage } from '../core/errors.js';
import { keys } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import { nebulaVersion } from '../core/version.js';
import { LeaseKeeper } from '../store/lease-keeper.js';
import { encode } from '../store/json.js';
import type { Store } from '../store/types.js';

/** The address other machines reach this host at: the listen host unless it is a wildcard. */
export function advertisedAddress(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** A safe default instance id: hostname-port. */
export function defaultInstanceId(port: number): string {
  return `${hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 100)}-${port}`;
}

/**
 * Keeps `/components/router/{instance}` alive under a lease, with the address, port and metrics URL the
 * server uses to find the router, and a heartbeat time refreshed every few seconds.
 */
export class ComponentRegistration {
  private keeper: LeaseKeeper | undefined;
  private timer: TimerHandle | undefined;
  private readonly startedAt: string;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly info: { instanceId: string; address: string; port: number; ttlS: number },
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.startedAt = new Date(clock.now()).toISOString();
  }

  async start(): Promise<void> {
    this.keeper = new LeaseKeeper(this.store, {
      ttlSeconds: this.info.ttlS,
      clock: this.clock,
      logger: this.logger,
      onRenewedAfterLoss: () => this.write(),
    });
    await this.keeper.start();
    await this.write();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.write()
          .catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'router registration failed'))
          .finally(() => this.schedule());
      },
      Math.max(1000, (this.info.ttlS * 1000) / 2),
    );
  }

  private async write(): Promise<void> {
    if (this.keeper === undefined || this.stopped) return;
    const { instanceId, address, port } = this.info;
    const host = address.includes(':') ? `[${address}]` : address;
    const value = encode(ComponentStatus, {
      role: 'router',
      instance_id: instanceId,
      address,
      port,
      metrics_url: `http://${host}:${port}/metrics`,
      version: nebulaVersion(),
      started_at: this.startedAt,
      heartbeat_at: new Date(this.clock.now()).toISOString(),
    });
    await this.store.put(keys.component('router', instanceId), value, { lease: this.keeper.id });
  }

  /** The registration lease (other keys that should vanish with this router live under it). */
  get leaseId(): string | undefined {
    return this.keeper?.id;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    await this.keeper?.stop(true);
  }
}
