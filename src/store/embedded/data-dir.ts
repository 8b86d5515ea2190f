/**
 * A `nebula up` data dir: `store.db` (the embedded store), `admin.key`, and `cluster.json`, a marker written
 * once when the cluster is created there. The marker and the key are what tell "a new data dir" from "a
 * data dir whose store was lost": the second is refused at start instead of becoming a new, empty cluster
 * (which would also mint a new admin key over the old one).
 *
 * The model cache is deliberately not such a sign: keeping gigabytes of weights while starting a fresh
 * cluster is a normal thing to do.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writePrivateFile } from '../../core/private-files.js';

export const CLUSTER_MARKER = 'cluster.json';
export const ADMIN_KEY_FILE = 'admin.key';

export const ClusterMarker = z.object({ cluster_id: z.string(), created_at: z.string(), store: z.string() });
export type ClusterMarker = z.infer<typeof ClusterMarker>;

/** The files of `dataDir` that prove a cluster was created there (absolute paths; none for a new dir). */
export function clusterSigns(dataDir: string): string[] {
  return [CLUSTER_MARKER, ADMIN_KEY_FILE].map((f) => join(dataDir, f)).filter((p) => existsSync(p));
}

/** Writes the marker (0600) unless it exists; returns its path. */
export function writeClusterMarker(dataDir: string, nowMs: number): string {
  const path = join(dataDir, CLUSTER_MARKER);
  if (existsSync(path)) return path;
  const marker: ClusterMarker = {
    cluster_id: randomUUID(),
    created_at: new Date(nowMs).toISOString(),
    store: 'store.db',
  };
  try {
    writePrivateFile(path, `${JSON.stringify(marker, null, 1)}\n`, { exclusive: true });
  } catch (err) {
    // Written by someone else in between: theirs stands.
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
  return path;
}

/** How to bring the store of `dataDir` back, for one-line errors. */
export function restoreHint(dataDir: string, opts: { moveAway?: boolean } = {}): string {
  const restore = `\`nebula admin restore -f <backup.json> --data-dir ${dataDir}\``;
  return opts.moveAway === false
    ? `restore a backup with ${restore} before starting again`
    : `move it away and restore a backup with ${restore} before starting again`;
}
