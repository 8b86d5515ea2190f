import { endpoint } from './endpoint.js';
import {
  Backup,
  BackupDocument,
  BackupQuery,
  ClusterSettingsView,
  MigrateResponse,
  RestoreQuery,
  RestoreResult,
  RotateSecretResult,
  RouterMetrics,
  UpdateClusterSettingsBody,
} from './schemas/index.js';

/** Router metrics. */
export const metrics = {
  router: endpoint({
    method: 'get',
    path: '/api/v2/metrics/router',
    minRole: 'viewer',
    action: 'metrics.router',
    resource: 'router',
    summary: 'Router metrics as JSON (same as /api/metrics/router)',
    tags: ['metrics'],
    response: RouterMetrics,
  }),
};

/** Cluster settings. */
export const settings = {
  cluster: endpoint({
    method: 'get',
    path: '/api/v2/settings/cluster',
    minRole: 'viewer',
    action: 'settings.get',
    resource: 'settings/cluster',
    summary: 'Cluster settings (engine_overrides: who may set engine_config.extra_args / env)',
    tags: ['settings'],
    response: ClusterSettingsView,
  }),
  updateCluster: endpoint({
    method: 'put',
    path: '/api/v2/settings/cluster',
    minRole: 'admin',
    action: 'settings.update',
    resource: 'settings/cluster',
    summary: 'Change cluster settings (partial; fields left out keep their value)',
    description:
      '`engine_overrides`: `operators` (default) lets operators and admins set engine_config.extra_args and env; `admins` lets only admins (operators get 403). The engine contract applies to everyone either way.',
    tags: ['settings'],
    body: UpdateClusterSettingsBody,
    response: ClusterSettingsView,
  }),
};

/** Store backup and restore, secret rotation, v1 -> v2 migration (admin). */
export const admin = {
  backup: endpoint({
    method: 'get',
    path: '/api/v2/admin/backup',
    minRole: 'admin',
    action: 'system.backup',
    resource: 'store',
    summary: 'Every Nebula key of the store, read at one revision, as a JSON backup',
    description:
      'Leased keys (heartbeats, endpoints, progress, audit and events under retention leases) are included with `lease: true` and are never restored. The session signing secret is left out unless `include_secrets=true` (then the file lets its holder mint sessions). The file holds password and API key hashes: keep it private. Each backup is recorded in the audit trail, with whether it included secrets.',
    tags: ['admin'],
    query: BackupQuery,
    response: BackupDocument,
  }),
  restore: endpoint({
    method: 'post',
    path: '/api/v2/admin/restore',
    minRole: 'admin',
    action: 'system.restore',
    resource: 'store',
    summary: 'Writes a backup into the store (refused with 409 when the store has Nebula keys, unless force)',
    description:
      'With `force=true` the store ends up equal to the backup: keys the backup lacks are deleted, the rest overwritten (leased keys of live processes are left alone). The session signing secret is replaced only when the backup has it; otherwise the current one stays (a store without one gets a new one when a server starts). Written in bounded txns; run it again after a failure. Restart the server afterwards so it reloads its caches.',
    tags: ['admin'],
    query: RestoreQuery,
    body: Backup,
    response: RestoreResult,
  }),
  rotateSecret: endpoint({
    method: 'post',
    path: '/api/v2/admin/rotate-secret',
    minRole: 'admin',
    action: 'system.rotate_secret',
    resource: 'store',
    summary: 'Replace the session signing secret: every existing session (JWT) is refused from now on',
    description:
      'For a leaked or suspected secret. No overlap: users log in again; API keys are not affected. Other servers and the routers follow the stored secret within a watch round trip. Refused with 409 JWT_SECRET_CONFIGURED when the secret comes from NEBULA_JWT_SECRET (change it there and restart every server and router).',
    tags: ['admin'],
    response: RotateSecretResult,
  }),
  migrate: endpoint({
    method: 'post',
    path: '/api/v2/migrate',
    minRole: 'admin',
    action: 'system.migrate',
    resource: 'model_requests',
    summary: 'Migrate v1 model requests to v2 models (idempotent)',
    description:
      'Running/Scheduled requests become running deployments, the rest stopped; models that already exist are skipped.',
    tags: ['admin'],
    response: MigrateResponse,
  }),
};
