import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { ModelFilesError } from '../errors.js';
import type { EnsureModelRequest, EnsureModelResult, ModelFiles } from './types.js';

/**
 * Minimal ModelFiles: local directories and the simulator without weights. Hub sources fail with a clear
 * error; the cache manager (downloads, scans, disk alerts) replaces this where downloads are wanted.
 */
export class LocalModelFiles implements ModelFiles {
  constructor(readonly cacheDir: string) {}

  async ensure(req: EnsureModelRequest): Promise<EnsureModelResult> {
    const { spec } = req;
    if (spec.model_path !== undefined) {
      if (!isAbsolute(spec.model_path)) {
        throw new ModelFilesError(
          `model_path "${spec.model_path}" must be an absolute path`,
          'MODEL_PATH_INVALID',
        );
      }
      const st = await stat(spec.model_path).catch(() => undefined);
      if (!st)
        throw new ModelFilesError(
          `model_path ${spec.model_path} does not exist on this node`,
          'MODEL_PATH_MISSING',
        );
      if (!st.isDirectory() && !st.isFile()) {
        throw new ModelFilesError(
          `model_path ${spec.model_path} is not a directory or file`,
          'MODEL_PATH_INVALID',
        );
      }
      return { modelPath: spec.model_path, env: {}, downloaded: false };
    }
    if (spec.engine_type === 'sim') return { modelPath: undefined, env: {}, downloaded: false };
    if (spec.model_source === 'local') {
      throw new ModelFilesError(
        `model ${spec.model_uid} has source "local" but no model_path`,
        'MODEL_PATH_MISSING',
      );
    }
    throw new ModelFilesError(
      `downloads not available on this node: ${spec.model_source} model ${spec.model_name} needs the cache manager`,
      'DOWNLOADS_UNAVAILABLE',
    );
  }
}
