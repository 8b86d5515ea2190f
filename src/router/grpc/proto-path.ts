import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds `proto/ai_service.proto` by walking up from this module: `dist/proto/` when running the build
 * (scripts/copy-assets.mjs copies it there), the repository's `proto/` when running from `src/`.
 */
export function aiServiceProtoPath(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto', 'ai_service.proto');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`proto/ai_service.proto not found above ${from}`);
}
