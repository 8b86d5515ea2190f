import type { Clock } from '../../core/clock.js';
import { ModelDeployment, ModelRequest, ModelSpec } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { keys, prefixes } from '../../core/keys.js';
import { decode } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { MigrateResponse } from '../../api/schemas/v1.js';
import { createModelKeys } from './service.js';

/** Seed 002 Phase 7: Running/Scheduled requests become running deployments, everything else stopped. */
export function desiredStateFor(status: ModelRequest['status']): 'running' | 'stopped' {
  return status === 'Running' || status === 'Scheduled' ? 'running' : 'stopped';
}

/**
 * Migrates v1 model requests to v2 spec + deployment. Idempotent: a request whose model already has a
 * spec is skipped, and each model is created in one transaction guarded by the spec's absence, so two
 * concurrent runs cannot both create it. Requests are left in place (the scheduler reads both during
 * the transition; seed 002 "兼容策略").
 */
export async function migrateV1ToV2(store: Store, clock: Clock): Promise<MigrateResponse> {
  const res = await store.list(prefixes.modelRequests);
  const out: MigrateResponse = { total: 0, migrated: 0, skipped: 0, failed: 0, details: [] };
  const seen = new Set<string>();
  for (const kv of res.items) {
    out.total++;
    const requestId = kv.key.slice(prefixes.modelRequests.length);
    let req: ModelRequest;
    try {
      req = decode(ModelRequest, kv).value;
    } catch (err) {
      out.failed++;
      out.details.push({
        request_id: requestId,
        model_uid: null,
        result: 'failed',
        reason: errorMessage(err),
      });
      continue;
    }
    const uid = req.spec.model_uid;
    if (seen.has(uid) || (await store.get(keys.modelSpec(uid)))) {
      out.skipped++;
      out.details.push({
        request_id: requestId,
        model_uid: uid,
        result: 'skipped',
        reason: 'a v2 model with this uid already exists',
      });
      continue;
    }
    try {
      const now = new Date(clock.now()).toISOString();
      const spec = ModelSpec.parse({ ...req.spec, updated_at: now });
      const dep = ModelDeployment.parse({
        model_uid: uid,
        desired_state: desiredStateFor(req.status),
        replicas: req.replicas,
        node_selector: {},
        placement_strategy: 'binpack',
        generation: 1,
        spec_revision: 1,
        created_at: req.created_at,
        updated_at: now,
      });
      await store.deletePrefix(keys.modelRevisionsOf(uid)); // leftovers of an earlier model of this uid
      // Revision 1 of the model is the request's spec, written with it.
      const r = await createModelKeys(store, uid, spec, dep, { by: 'system', at: now, cause: 'migrate' });
      seen.add(uid);
      if (r.succeeded) {
        out.migrated++;
        out.details.push({ request_id: requestId, model_uid: uid, result: 'migrated', reason: null });
      } else {
        out.skipped++;
        out.details.push({
          request_id: requestId,
          model_uid: uid,
          result: 'skipped',
          reason: 'created concurrently',
        });
      }
    } catch (err) {
      out.failed++;
      out.details.push({
        request_id: requestId,
        model_uid: uid,
        result: 'failed',
        reason: errorMessage(err),
      });
    }
  }
  return out;
}
