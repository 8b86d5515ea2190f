import type { ServerContext } from '../context.js';
import type { Implementation } from '../http/route.js';
import { apiKeyRoutes } from './api-keys.js';
import { authRoutes } from './auth.js';
import { autoscalingRoutes } from './autoscaling.js';
import { backupRoutes } from './backup.js';
import { cachePurgeRoutes } from './cache-purge.js';
import { cacheRoutes } from './cache.js';
import { drainRoutes } from './drains.js';
import { catalogRoutes } from './catalog.js';
import { engineRoutes } from './engines.js';
import { eventRoutes } from './events.js';
import { logRoutes } from './logs.js';
import { migrateRoutes } from './migrate.js';
import { modelRoutes } from './models.js';
import { revisionRoutes } from './revisions.js';
import { secretRoutes } from './secret.js';
import { nodeRoutes } from './nodes.js';
import { openAiProxyRoutes } from './openai-proxy.js';
import { pullRoutes } from './pull.js';
import { settingsRoutes } from './settings.js';
import { templateRoutes } from './templates.js';
import { userRoutes } from './users.js';

/** v2 control API (seed 002 Phase 4, seed 004 catalog, auth, audit...) under /api/v2/. */
export function v2Routes(ctx: ServerContext): Implementation[] {
  return [
    ...modelRoutes(ctx),
    ...revisionRoutes(ctx),
    ...autoscalingRoutes(ctx),
    ...templateRoutes(ctx),
    ...nodeRoutes(ctx),
    ...engineRoutes(ctx),
    ...cacheRoutes(ctx),
    ...cachePurgeRoutes(ctx),
    ...eventRoutes(ctx),
    ...logRoutes(ctx),
    ...drainRoutes(ctx),
    ...migrateRoutes(ctx),
    ...backupRoutes(ctx),
    ...secretRoutes(ctx),
    ...authRoutes(ctx),
    ...userRoutes(ctx),
    ...apiKeyRoutes(ctx),
    ...catalogRoutes(ctx),
    ...openAiProxyRoutes(ctx),
    ...settingsRoutes(ctx),
    ...pullRoutes(ctx),
  ];
}
