/**
 * Least-recently-used eviction under disk pressure. Pure: given the scanned models, the disk status and
 * what must not go, it picks the models to delete, oldest `last_used_at` first (never used = oldest),
 * until the projected usage is below the target (the warning threshold by default).
 */
import { adapterRefs } from './adapter-files.js';
import { DISK_WARNING_PERCENT, type ModelSpec, type ModelDeployment } from '../../core/domain/index.js';
import type { ScannedModel } from './scan.js';

export interface DiskNumbers {
  used_bytes: number;
  available_bytes: number;
}

/** `source:model_name` (for local models: `local:<path>`), how specs and scanned models are matched. */
export function modelRef(source: string, nameOrPath: string): string {
  return `${source}:${nameOrPath}`;
}

/** The models that deployments reference (running or stopped: a stopped deployment may start again). */
export function referencedModels(
  specs: readonly ModelSpec[],
  deployments: readonly ModelDeployment[],
): Set<string> {
  const deployed = new Set(deployments.map((d) => d.model_uid));
  const out = new Set<string>();
  for (const s of specs) {
    if (!deployed.has(s.model_uid)) continue;
    out.add(modelRef(s.model_source, s.model_name));
    if (s.model_source === 'local' && s.model_path) out.add(modelRef('local', s.model_path));
    // A deployed model's adapters are needed as much as its weights.
    for (const a of adapterRefs(s)) out.add(modelRef(a.model_source, a.model_name));
  }
  return out;
}

export function selectEvictions(
  models: readonly ScannedModel[],
  disk: DiskNumbers,
  canEvict: (m: ScannedModel) => boolean,
  targetPercent = DISK_WARNING_PERCENT,
): ScannedModel[] {
  const capacity = disk.used_bytes + disk.available_bytes;
  if (capacity <= 0) return [];
  const mustFree = disk.used_bytes - (targetPercent / 100) * capacity;
  if (mustFree <= 0) return [];
  const candidates = models.filter(canEvict).sort((a, b) => {
    const ta = a.last_used_at ? Date.parse(a.last_used_at) : 0;
    const tb = b.last_used_at ? Date.parse(b.last_used_at) : 0;
    return ta - tb || b.size_bytes - a.size_bytes;
  });
  const out: ScannedModel[] = [];
  let freed = 0;
  for (const c of candidates) {
    // Strictly below the target: stop once freeing has pushed usage under it.
    if (freed > mustFree) break;
    out.push(c);
    freed += c.size_bytes;
  }
  return out;
}
