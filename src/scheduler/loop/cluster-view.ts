/**
 * The scheduler's cached view of the store: one Informer per prefix it reads, and handlers that tell the
 * controller what became dirty. Node heartbeats are filtered: only a change of a node's shape (GPUs,
 * ports, labels) touches its models, and only freed memory wakes the unplaced ones.
 */
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { MIB } from '../../core/domain/common.js';
import { ModelCacheEntry } from '../../core/domain/cache.js';
import { Endpoint } from '../../core/domain/endpoint.js';
import { ModelDeployment, ModelSpec } from '../../core/domain/model.js';
import { NodeSettings, NodeStatus } from '../../core/domain/node.js';
import { PlacementPlan } from '../../core/domain/placement.js';
import { ModelRequest } from '../../core/domain/request.js';
import { DrainRequest } from '../../core/domain/revision.js';
import { keys, kindFilter, parseKey, prefixes, type ParsedKey } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { Informer } from '../../store/informer.js';
import type { Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { ClusterNode } from '../types.js';

export interface ViewHandlers {
  /** Something about this model's deployment, spec, request or plan changed. */
  model(uid: string): void;
  /** A node's shape or settings changed: its models need a look. */
  node(nodeId: string): void;
  /** Capacity may have grown: unplaced replicas may fit now. */
  capacity(): void;
  nodeGone(nodeId: string): void;
  nodeBack(nodeId: string): void;
  /** The plan of `uid` changed in the store (own writes included; the controller tells them apart). */
  planEvent(uid: string, modRevision: number | undefined): void;
}

export interface ClusterViewOptions {
  store: Store;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  resyncMs?: number | undefined;
  handlers: ViewHandlers;
}

const FREED_THRESHOLD = 512 * MIB;

/** Shape of a node that matters to placement (not its heartbeat time or usage). */
function nodeShape(n: NodeStatus): string {
  return JSON.stringify([
    n.gpus.map((g) => [g.index, g.memory_total_bytes]),
    n.port_range,
    n.ports_in_use,
    n.admin_port,
    n.labels,
  ]);
}

function freed(now: NodeStatus, old: NodeStatus): boolean {
  const before = new Map(old.gpus.map((g) => [g.index, g.memory_used_bytes]));
  return now.gpus.some((g) => (before.get(g.index) ?? 0) - g.memory_used_bytes >= FREED_THRESHOLD);
}

function uidOf(key: string): string | undefined {
  const p = parseKey(key);
  return p && 'modelUid' in p ? p.modelUid : undefined;
}

function nodeOf(key: string): string | undefined {
  const p = parseKey(key);
  return p && 'nodeId' in p ? p.nodeId : undefined;
}

export class ClusterView {
  readonly deployments: Informer<ModelDeployment>;
  readonly specs: Informer<ModelSpec>;
  readonly requests: Informer<ModelRequest>;
  readonly nodes: Informer<NodeStatus>;
  readonly settings: Informer<NodeSettings>;
  readonly endpoints: Informer<Endpoint>;
  readonly placements: Informer<PlacementPlan>;
  readonly cache: Informer<ModelCacheEntry>;
  readonly drains: Informer<DrainRequest>;
  private readonly all: Informer<unknown>[];

  constructor(opts: ClusterViewOptions) {
    const h = opts.handlers;
    const make = <T>(
      name: string,
      prefix: string,
      schema: z.ZodType<T>,
      kind: ParsedKey['kind'],
      handlers: Partial<{
        onAdd: (i: Typed<T>) => void;
        onUpdate: (i: Typed<T>, o: Typed<T>) => void;
        onDelete: (o: Typed<T>) => void;
      }>,
    ): Informer<T> =>
      new Informer<T>({
        store: opts.store,
        prefix,
        schema,
        keyFilter: kindFilter(kind),
        clock: opts.clock,
        logger: opts.logger,
        resyncMs: opts.resyncMs,
        name: `scheduler:${name}`,
        ...handlers,
      });

    const byUid = <T>(i: Typed<T>) => {
      const uid = uidOf(i.key);
      if (uid) h.model(uid);
    };
    this.deployments = make('deployments', prefixes.deployments, ModelDeployment, 'deployment', {
      onAdd: byUid,
      onUpdate: byUid,
      onDelete: byUid,
    });
    this.specs = make('specs', prefixes.models, ModelSpec, 'modelSpec', {
      onAdd: byUid,
      onUpdate: byUid,
      onDelete: byUid,
    });
    const byRequest = (i: Typed<ModelRequest>) => h.model(i.value.spec.model_uid);
    this.requests = make('requests', prefixes.modelRequests, ModelRequest, 'modelRequest', {
      onAdd: byRequest,
      onUpdate: (i, o) => {
        byRequest(i);
        byRequest(o);
      },
      onDelete: byRequest,
    });
    this.nodes = make('nodes', prefixes.nodes, NodeStatus, 'nodeStatus', {
      onAdd: (i) => {
        h.nodeBack(i.value.node_id);
        h.node(i.value.node_id);
        h.capacity();
      },
      onUpdate: (i, o) => {
        if (nodeShape(i.value) !== nodeShape(o.value)) {
          h.node(i.value.node_id);
          h.capacity();
        } else if (freed(i.value, o.value)) h.capacity();
      },
      onDelete: (o) => h.nodeGone(o.value.node_id),
    });
    const bySettings = (i: Typed<NodeSettings>) => {
      const id = nodeOf(i.key);
      if (id) h.node(id);
      h.capacity();
    };
    this.settings = make('node_settings', prefixes.nodeSettings, NodeSettings, 'nodeSettings', {
      onAdd: bySettings,
      onUpdate: bySettings,
      onDelete: bySettings,
    });
    // Only a replica becoming ready matters (v1 requests go Scheduled -> Running); endpoint heartbeats do not.
    this.endpoints = make('endpoints', prefixes.endpoints, Endpoint, 'endpoint', {
      onAdd: (i) => {
        if (i.value.status === 'ready') h.model(i.value.model_uid);
      },
      onUpdate: (i, o) => {
        // Readiness both ways gates rollouts and drains (a replacement that stops being ready holds them).
        if ((i.value.status === 'ready') !== (o.value.status === 'ready')) h.model(i.value.model_uid);
      },
    });
    this.placements = make('placements', prefixes.placements, PlacementPlan, 'placement', {
      onAdd: (i) => h.planEvent(i.value.model_uid, i.modRevision),
      onUpdate: (i) => h.planEvent(i.value.model_uid, i.modRevision),
      onDelete: (o) => h.planEvent(o.value.model_uid, undefined),
    });
    this.cache = make('model_cache', prefixes.modelCache, ModelCacheEntry, 'modelCache', {});
    this.drains = make('drains', prefixes.drains, DrainRequest, 'drain', {
      onAdd: byUid,
      onUpdate: byUid,
      onDelete: byUid,
    });
    this.all = [
      this.deployments,
      this.specs,
      this.requests,
      this.nodes,
      this.settings,
      this.endpoints,
      this.placements,
      this.cache,
      this.drains,
    ] as Informer<unknown>[];
  }

  async start(): Promise<void> {
    for (const i of this.all) i.start();
    await Promise.all(this.all.map((i) => i.ready()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  get synced(): boolean {
    return this.all.every((i) => i.hasSynced);
  }

  /** Highest store revision reflected in the view. */
  revision(): number {
    return Math.max(...this.all.map((i) => i.stats.revision));
  }

  deployment(uid: string): ModelDeployment | undefined {
    return this.deployments.get(keys.deployment(uid))?.value;
  }

  spec(uid: string): ModelSpec | undefined {
    return this.specs.get(keys.modelSpec(uid))?.value;
  }

  /** Live nodes with their settings. */
  clusterNodes(): ClusterNode[] {
    return this.nodes.list().map((n) => ({
      status: n.value,
      settings: this.settings.get(keys.nodeSettings(n.value.node_id))?.value,
    }));
  }

  liveNodeIds(): Set<string> {
    return new Set(this.nodes.list().map((n) => n.value.node_id));
  }

  drainingNodeIds(): Set<string> {
    return new Set(
      this.settings
        .list()
        .filter((s) => s.value.draining)
        .map((s) => s.value.node_id),
    );
  }

  /** The endpoints of one model. */
  endpointsOf(uid: string): Endpoint[] {
    return this.endpoints
      .list()
      .map((t) => t.value)
      .filter((e) => e.model_uid === uid);
  }

  /** Drain requests of one model. */
  drainsOf(uid: string): DrainRequest[] {
    return this.drains
      .list()
      .map((t) => t.value)
      .filter((d) => d.model_uid === uid);
  }

  /** True when some replica of `uid` listed in `replicaIds` has a ready endpoint. */
  anyReady(uid: string, replicaIds: readonly number[]): boolean {
    return replicaIds.some((r) => this.endpoints.get(keys.endpoint(uid, r))?.value.status === 'ready');
  }
}
