/**
 * The store key layout (DESIGN.md §2): the one module that knows how keys are spelled.
 * Every builder validates the id it puts into a key, so a bad id can never address another key.
 */
import { isValidModelUid, NODE_ID_PATTERN, SLUG_PATTERN } from './ids.js';
import { InvalidArgumentError } from './errors.js';

function uid(value: string): string {
  if (!isValidModelUid(value)) throw new InvalidArgumentError(`invalid model_uid "${value}"`, 'INVALID_MODEL_UID');
  return value;
}
function node(value: string): string {
  if (!NODE_ID_PATTERN.test(value)) throw new InvalidArgumentError(`invalid node_id "${value}"`, 'INVALID_NODE_ID');
  return value;
}
function slug(value: string, what: string): string {
  if (!SLUG_PATTERN.test(value)) throw new InvalidArgumentError(`invalid ${what} "${value}"`, 'INVALID_ID');
  return value;
}
function segment(value: string, what: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(value)) throw new InvalidArgumentError(`invalid ${what} "${value}"`, 'INVALID_ID');
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
  modelCache: (nodeId: string, nameHash: string) => `/model_cache/${node(nodeId)}/${segment(nameHash, 'hash')}`,
  modelCacheOf: (nodeId: string) => `/model_cache/${node(nodeId)}/`,
  downloadProgress: (modelUid: string, replicaId: number) =>
    `/download_progress/${uid(modelUid)}/${replica(replicaId)}`,
  downloadProgressOf: (modelUid: string) => `/download_progress/${uid(modelUid)}/`,
  nodeDisk: (nodeId: string) => `/node_disk/${node(nodeId)}`,
  alert: (nodeId: string, alertType: string) => `/alerts/${node(nodeId)}/${segment(alertType, 'alert_type')}`,
  alertsOf: (nodeId: string) => `/alerts/${node(nodeId)}/`,
  /** A request to delete one model's files from one node's cache (written by the server, handled by the node). */
  cachePurge: (nodeId: string, nameHash: string) => `/cache_purge/${node(nodeId)}/${segment(nameHash, 'hash')}`,
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

/** What a key names, or undefined for keys outside the layout. */
export type ParsedKey =
  | { kind: 'nodeStatus'; nodeId: string }
  | { kind: 'nodeSettings'; nodeId: string }
  | { kind: 'component'; role: string; instanceId: string }
  | { kind: 'modelSpec'; modelUid: string }
  | { kind: 'deployment'; modelUid: string }
  | { kind: 'template'; templateId: string }
  | { kind: 'modelRequest'; requestId: string }
  | { kind: 'placement'; modelUid: string }
  | { kind: 'endpoint'; modelUid: string; replicaId: number }
  | { kind: 'modelCache'; nodeId: string; nameHash: string }
  | { kind: 'downloadProgress'; modelUid: string; replicaId: number }
  | { kind: 'nodeDisk'; nodeId: string }
  | { kind: 'alert'; nodeId: string; alertType: string }
  | { kind: 'cachePurge'; nodeId: string; nameHash: string }
  | { kind: 'user'; username: string }
  | { kind: 'apiKey'; id: string }
  | { kind: 'audit'; id: string }
  | { kind: 'event'; modelUid: string; id: string }
  | { kind: 'leader'; name: string }
  | { kind: 'meta'; name: string }
  | { kind: 'settings'; name: string }
  | { kind: 'modelRevision'; modelUid: string; revision: number }
  | { kind: 'drain'; modelUid: string; replicaId: number }
  | { kind: 'load'; modelUid: string; router: string }
  | { kind: 'wake'; modelUid: string }
  | { kind: 'autoscaler'; modelUid: string }
  | { kind: 'pull'; modelUid: string; nodeId: string };

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
  switch (a) {
    case 'nodes':
      return n === 4 && c === 'status' ? { kind: 'nodeStatus', nodeId: b } : undefined;
    case 'node_settings':
      return n === 3 ? { kind: 'nodeSettings', nodeId: b } : undefined;
    case 'components':
      return n === 4 && c ? { kind: 'component', role: b, instanceId: c } : undefined;
    case 'models':
      return n === 4 && c === 'spec' ? { kind: 'modelSpec', modelUid: b } : undefined;
    case 'deployments':
      return n === 3 ? { kind: 'deployment', modelUid: b } : undefined;
    case 'templates':
      return n === 3 ? { kind: 'template', templateId: b } : undefined;
    case 'model_requests':
      return n === 3 ? { kind: 'modelRequest', requestId: b } : undefined;
    case 'placements':
      return n === 3 ? { kind: 'placement', modelUid: b } : undefined;
    case 'endpoints':
      return n === 4 && c && REPLICA_RE.test(c) ? { kind: 'endpoint', modelUid: b, replicaId: Number(c) } : undefined;
    case 'model_cache':
      return n === 4 && c ? { kind: 'modelCache', nodeId: b, nameHash: c } : undefined;
    case 'download_progress':
      return n === 4 && c && REPLICA_RE.test(c)
        ? { kind: 'downloadProgress', modelUid: b, replicaId: Number(c) }
        : undefined;
    case 'node_disk':
      return n === 3 ? { kind: 'nodeDisk', nodeId: b } : undefined;
    case 'alerts':
      return n === 4 && c ? { kind: 'alert', nodeId: b, alertType: c } : undefined;
    case 'cache_purge':
      return n === 4 && c ? { kind: 'cachePurge', nodeId: b, nameHash: c } : undefined;
    case 'auth':
      if (n !== 4 || !c) return undefined;
      if (b === 'users') return { kind: 'user', username: c };
      if (b === 'api_keys') return { kind: 'apiKey', id: c };
      return undefined;
    case 'audit':
      return n === 3 ? { kind: 'audit', id: b } : undefined;
    case 'events':
      return n === 4 && c ? { kind: 'event', modelUid: b, id: c } : undefined;
    case 'leader':
      return n === 3 ? { kind: 'leader', name: b } : undefined;
    case 'meta':
      return n === 3 ? { kind: 'meta', name: b } : undefined;
    case 'settings':
      return n === 3 ? { kind: 'settings', name: b } : undefined;
    case 'model_revisions':
      return n === 4 && c && /^[0-9]{8}$/.test(c) && Number(c) >= 1
        ? { kind: 'modelRevision', modelUid: b, revision: Number(c) }
        : undefined;
    case 'load':
      return n === 4 && c ? { kind: 'load', modelUid: b, router: c } : undefined;
    case 'wake':
      return n === 3 ? { kind: 'wake', modelUid: b } : undefined;
    case 'autoscaler':
      return n === 3 ? { kind: 'autoscaler', modelUid: b } : undefined;
    case 'drains':
      return n === 4 && c && REPLICA_RE.test(c) ? { kind: 'drain', modelUid: b, replicaId: Number(c) } : undefined;
    case 'pulls':
      return n === 4 && c ? { kind: 'pull', modelUid: b, nodeId: c } : undefined;
    default:
      return undefined;
  }
}

/** A key filter for one kind of key (for lists and watches of a prefix that holds several kinds). */
export function kindFilter(kind: ParsedKey['kind']): (key: string) => boolean {
  return (key) => parseKey(key)?.kind === kind;
}
