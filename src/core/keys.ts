/**
 * The store key layout (DESIGN.md §2): the one module that knows how keys are spelled.
 * Every builder validates the id it puts into a key, so a bad id can never address another key.
 */
import { isValidModelUid, NODE_ID_PATTERN, SLUG_PATTERN } from './ids.js';
import { InvalidArgumentError } from './errors.js';

function uid(value: string): string {
  if (!isValidModelUid(value))
    throw new InvalidArgumentError(`invalid model_uid "${value}"`, 'INVALID_MODEL_UID');
  return value;
}
function node(value: string): string {
  if (!NODE_ID_PATTERN.test(value))
    throw new InvalidArgumentError(`invalid node_id "${value}"`, 'INVALID_NODE_ID');
  return value;
}
function slug(value: string, what: string): string {
  if (!SLUG_PATTERN.test(value)) throw new InvalidArgumentError(`invalid ${what} "${value}"`, 'INVALID_ID');
  return value;
}
function segment(value: string, what: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(value))
    throw new InvalidArgumentError(`invalid ${what} "${value}"`, 'INVALID_ID');
  return value;
}
function replica(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 9999) {
    throw new InvalidArgumentError(`invalid replica_id ${value}`, 'INVALID_REPLICA_ID');
  }
  return String(value);
}

/** Prefixes for list and watch. Each ends with '/'. */
export const prefixes = {
  nodes: '/nodes/',
  nodeSettings: '/node_settings/',
  components: '/components/',
  models: '/models/',
  deployments: '/deployments/',
  templates: '/templates/',
  modelRequests: '/model_requests/',
  placements: '/placements/',
  endpoints: '/endpoints/',
  modelCache: '/model_cache/',
  downloadProgress: '/download_progress/',
  nodeDisk: '/node_disk/',
  alerts: '/alerts/',
  cachePurge: '/cache_purge/',
  users: '/auth/users/',
  apiKeys: '/auth/api_keys/',
  auth: '/auth/',
  audit: '/audit/',
  events: '/events/',
  leader: '/leader/',
  meta: '/meta/',
  settings: '/settings/',
  modelRevisions: '/model_revisions/',
  drains: '/drains/',
  load: '/load/',
  wake: '/wake/',
  autoscaler: '/autoscaler/',
  pulls: '/pulls/',
} as const;

/** Every prefix Nebula owns (backup and restore cover exactly these). */
export const ALL_PREFIXES: readonly string[] = Object.values(prefixes).filter((p) => p !== prefixes.auth);

export const keys = {
  nodeStatus: (nodeId: string) => `/nodes/${node(nodeId)}/status`,
  nodeSettings: (nodeId: string) => `/node_settings/${node(nodeId)}`,
  component: (role: string, instanceId: string) =>
    `/components/${segment(role, 'role')}/${segment(instanceId, 'instance id')}`,
  componentsOf: (role: string) => `/components/${segment(role, 'role')}/`,
  modelSpec: (modelUid: string) => `/models/${uid(modelUid)}/spec`,
  deployment: (modelUid: string) => `/deployments/${uid(modelUid)}`,
  template: (templateId: string) => `/templates/${slug(templateId, 'template_id')}`,
  modelRequest: (requestId: string) => `/model_requests/${slug(requestId, 'request_id')}`,
  placement: (modelUid: string) => `/placements/${uid(modelUid)}`,
  endpoint: (modelUid: string, replicaId: number) => `/endpoints/${uid(modelUid)}/${replica(replicaId)}`,
  endpointsOf: (modelUid: string) => `/endpoints/${uid(modelUid)}/`,
  modelCache: (nodeId: string, nameHash: string) =>
    `/model_cache/${node(nodeId)}/${segment(nameHash, 'hash')}`,
  modelCacheOf: (nodeId: string) => `/model_cache/${node(nodeId)}/`,
  downloadProgress: (modelUid: string, replicaId: number) =>
    `/download_progress/${uid(modelUid)}/${replica(replicaId)}`,
  downloadProgressOf: (modelUid: string) => `/download_progress/${uid(modelUid)}/`,
  nodeDisk: (nodeId: string) => `/node_disk/${node(nodeId)}`,
  alert: (nodeId: string, alertType: string) => `/alerts/${node(nodeId)}/${segment(alertType, 'alert_type')}`,
  alertsOf: (nodeId: string) => `/alerts/${node(nodeId)}/`,
  /** A request to delete one model's files from one node's cache (written by the server, handled by the node). */
  cachePurge: (nodeId: string, nameHash: string) =>
    `/cache_purge/${node(nodeId)}/${segment(nameHash, 'hash')}`,
  cachePurgeOf: (nodeId: string) => `/cache_purge/${node(nodeId)}/`,
  user: (username: string) => `/auth/users/${segment(username, 'username')}`,
  apiKey: (id: string) => `/auth/api_keys/${segment(id, 'key id')}`,
  audit: (id: string) => `/audit/${segment(id, 'audit id')}`,
  event: (modelUid: string, id: string) => `/events/${uid(modelUid)}/${segment(id, 'event id')}`,
  eventsOf: (modelUid: string) => `/events/${uid(modelUid)}/`,
  leader: (name: string) => `/leader/${segment(name, 'leader name')}`,
  meta: (name: string) => `/meta/${segment(name, 'meta key')}`,
  /** Cluster-wide settings an admin changes at run time (`/settings/cluster`). */
  settings: (name: string) => `/settings/${segment(name, 'settings name')}`,
  /** Revision n of a model's spec; zero-padded so a listing is in revision order. */
  modelRevision: (modelUid: string, n: number) => `/model_revisions/${uid(modelUid)}/${revisionNumber(n)}`,
  modelRevisionsOf: (modelUid: string) => `/model_revisions/${uid(modelUid)}/`,
  /** An operator's request to migrate one replica (scheduler-handled). */
  drain: (modelUid: string, replicaId: number) => `/drains/${uid(modelUid)}/${replica(replicaId)}`,
  drainsOf: (modelUid: string) => `/drains/${uid(modelUid)}/`,
  /** One router's load signal for a model (under the router's lease). */
  load: (modelUid: string, router: string) => `/load/${uid(modelUid)}/${segment(router, 'router instance')}`,
  loadOf: (modelUid: string) => `/load/${uid(modelUid)}/`,
  /** A router's request to wake an idle model. */
  wake: (modelUid: string) => `/wake/${uid(modelUid)}`,
  /** The autoscaler's last decision for a model. */
  autoscaler: (modelUid: string) => `/autoscaler/${uid(modelUid)}`,
  /** A request to download one model's files onto one node without starting it (node-handled). */
  pull: (modelUid: string, nodeId: string) => `/pulls/${uid(modelUid)}/${node(nodeId)}`,
  pullsOf: (modelUid: string) => `/pulls/${uid(modelUid)}/`,
} as const;

/**
 * Keys `/<dir>/<a>` and `/<dir>/<a>/<b>` whose segments are plain ids: per directory, the kind its keys
 * name and the fields their segments fill, in order. ParsedKey and parseKey derive these kinds from it.
 */
const PLAIN_KEYS = {
  node_settings: ['nodeSettings', 'nodeId'],
  components: ['component', 'role', 'instanceId'],
  deployments: ['deployment', 'modelUid'],
  templates: ['template', 'templateId'],
  model_requests: ['modelRequest', 'requestId'],
  placements: ['placement', 'modelUid'],
  model_cache: ['modelCache', 'nodeId', 'nameHash'],
  node_disk: ['nodeDisk', 'nodeId'],
  alerts: ['alert', 'nodeId', 'alertType'],
  cache_purge: ['cachePurge', 'nodeId', 'nameHash'],
  audit: ['audit', 'id'],
  events: ['event', 'modelUid', 'id'],
  leader: ['leader', 'name'],
  meta: ['meta', 'name'],
  settings: ['settings', 'name'],
  load: ['load', 'modelUid', 'router'],
  wake: ['wake', 'modelUid'],
  autoscaler: ['autoscaler', 'modelUid'],
  pulls: ['pull', 'modelUid', 'nodeId'],
} as const satisfies Record<string, readonly [string, string] | readonly [string, string, string]>;

/** `{ kind, ...fields: string }` for one row of PLAIN_KEYS. */
type PlainKey<Row> = Row extends readonly [infer K, ...infer F extends readonly string[]]
  ? { [P in 'kind' | F[number]]: P extends 'kind' ? K : string }
  : never;

/** Keys `/<dir>/<model_uid>/<replica_id>`: the kind each directory's keys name. */
const REPLICA_KEYS = {
  endpoints: 'endpoint',
  download_progress: 'downloadProgress',
  drains: 'drain',
} as const;
type ReplicaDir = keyof typeof REPLICA_KEYS;
type ReplicaKey<K> = K extends string ? { kind: K; modelUid: string; replicaId: number } : never;

/** What a key names, or undefined for keys outside the layout. */
export type ParsedKey =
  | PlainKey<(typeof PLAIN_KEYS)[keyof typeof PLAIN_KEYS]>
  | { kind: 'nodeStatus'; nodeId: string }
  | { kind: 'modelSpec'; modelUid: string }
  | ReplicaKey<(typeof REPLICA_KEYS)[ReplicaDir]>
  | { kind: 'user'; username: string }
  | { kind: 'apiKey'; id: string }
  | { kind: 'modelRevision'; modelUid: string; revision: number };

function revisionNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99_999_999) {
    throw new InvalidArgumentError(`invalid revision ${n}`, 'INVALID_REVISION');
  }
  return String(n).padStart(8, '0');
}

const REPLICA_RE = /^(0|[1-9][0-9]{0,3})$/;

export function parseKey(key: string): ParsedKey | undefined {
  const p = key.split('/');
  if (p[0] !== '' || p.length < 3) return undefined;
  const [, a, b, c] = p;
  const n = p.length;
  if (b === undefined || b === '') return undefined;
  if (a !== undefined && Object.hasOwn(PLAIN_KEYS, a)) {
    const [kind, ...fields] = PLAIN_KEYS[a as keyof typeof PLAIN_KEYS];
    const ids = p.slice(2);
    if (ids.length !== fields.length || ids.some((id) => id === '')) return undefined;
    return Object.fromEntries([['kind', kind], ...fields.map((f, i) => [f, ids[i]])]) as ParsedKey;
  }
  const replicaKind =
    a !== undefined && Object.hasOwn(REPLICA_KEYS, a) ? REPLICA_KEYS[a as ReplicaDir] : undefined;
  if (replicaKind) {
    return n === 4 && c && REPLICA_RE.test(c)
      ? { kind: replicaKind, modelUid: b, replicaId: Number(c) }
      : undefined;
  }
  switch (a) {
    case 'nodes':
      return n === 4 && c === 'status' ? { kind: 'nodeStatus', nodeId: b } : undefined;
    case 'models':
      return n === 4 && c === 'spec' ? { kind: 'modelSpec', modelUid: b } : undefined;
    case 'auth':
      if (n !== 4 || !c) return undefined;
      if (b === 'users') return { kind: 'user', username: c };
      if (b === 'api_keys') return { kind: 'apiKey', id: c };
      return undefined;
    case 'model_revisions':
      return n === 4 && c && /^[0-9]{8}$/.test(c) && Number(c) >= 1
        ? { kind: 'modelRevision', modelUid: b, revision: Number(c) }
        : undefined;
    default:
      return undefined;
  }
}

/** A key filter for one kind of key (for lists and watches of a prefix that holds several kinds). */
export function kindFilter(kind: ParsedKey['kind']): (key: string) => boolean {
  return (key) => parseKey(key)?.kind === kind;
}
