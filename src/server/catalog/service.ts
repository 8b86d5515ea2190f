import { errorMessage } from '../../core/errors.js';
import { resolveGgufVariant, type GgufChoice, type GgufVariant } from '../../core/gguf-variants.js';
import type { Logger } from '../../core/logger.js';
import { ApiError, errors } from '../errors.js';
import type { ModelService } from '../models/service.js';
import { ggufChoiceProblem } from '../../api/schemas/models.js';
import {
  REPO_ID_PATTERN,
  type CatalogModelDetail,
  type CatalogProvider,
  type ImportBody,
  type SearchResponse,
} from '../../api/schemas/catalog.js';
import { HubNotFoundError } from './hub-json.js';
import type { HubProvider } from './types.js';

const WEIGHT_FILE = /\.(safetensors|bin|gguf|pt|pth)$/i;

/** Bytes of the weight files of a repository (what the GPU estimator needs), when all are known. */
export function weightsBytes(files: readonly { path: string; size: number | null }[]): number | undefined {
  const weights = files.filter((f) => WEIGHT_FILE.test(f.path));
  if (weights.length === 0 || weights.some((f) => f.size === null)) return undefined;
  // A GGUF repository holds several quantisations; one is loaded: count the largest file.
  if (weights.every((f) => /\.gguf$/i.test(f.path))) return Math.max(...weights.map((f) => f.size ?? 0));
  return weights.reduce((n, f) => n + (f.size ?? 0), 0);
}

/**
 * The GGUF variant a llama.cpp model of this repository loads, or the 422 that names the variants when
 * the choice matches none (or several), or the repository has none.
 */
export function ggufVariantOrThrow(
  files: readonly { path: string; size: number | null }[],
  choice: GgufChoice,
  where: string,
): GgufVariant {
  const r = resolveGgufVariant(files, choice, where);
  if (r.ok) return r.variant;
  throw errors.invalid(r.message, r.code, { available: r.available, ...choice });
}

function checkGgufFields(v: Parameters<typeof ggufChoiceProblem>[0]): void {
  const p = ggufChoiceProblem(v);
  if (p) throw errors.invalid(p.message, 'VALIDATION_FAILED', { issues: [p] });
}

function choiceOf(v: { gguf_file?: string | undefined; gguf_quant?: string | undefined }): GgufChoice {
  const c: GgufChoice = {};
  if (v.gguf_file !== undefined) c.gguf_file = v.gguf_file;
  if (v.gguf_quant !== undefined) c.gguf_quant = v.gguf_quant;
  return c;
}

function checkId(id: string): void {
  if (!REPO_ID_PATTERN.test(id) || id.includes('..'))
    throw errors.badRequest(`invalid model_id "${id}"`, 'INVALID_ID');
}

/** Catalog search, details and import over the preset hub providers (seed 004). */
export class CatalogService {
  constructor(
    private readonly providers: Record<CatalogProvider, HubProvider>,
    private readonly models: ModelService,
    private readonly logger: Logger,
  ) {}

  async search(provider: CatalogProvider, q: string, page: number, limit: number): Promise<SearchResponse> {
    const r = await this.providers[provider].search(q.trim(), page, limit);
    return { provider, query: q, page, limit, items: r.items, has_more: r.hasMore };
  }

  async detail(provider: CatalogProvider, id: string, revision?: string): Promise<CatalogModelDetail> {
    checkId(id);
    try {
      return await this.providers[provider].detail(id, revision);
    } catch (err) {
      if (err instanceof HubNotFoundError) {
        throw errors.notFound('CATALOG_MODEL_NOT_FOUND', `"${id}" was not found on ${provider}`, {
          provider,
          model_id: id,
        });
      }
      throw err;
    }
  }

  /**
   * Checks a llama.cpp model's GGUF choice against its hub repository before it is created: 422 naming
   * the variants when the file or tag matches none. A hub that does not answer, or does not know the
   * repository, is no reason to refuse (the model may be created ahead of time; the node reports it).
   */
  async checkGgufChoice(spec: {
    model_source: string;
    model_name: string;
    revision?: string | undefined;
    engine_type: string;
    gguf_file?: string | undefined;
    gguf_quant?: string | undefined;
  }): Promise<void> {
    // Without a choice the default rule always finds a variant where there is one: no hub call needed.
    if (spec.engine_type !== 'llamacpp' || (spec.gguf_file ?? spec.gguf_quant) === undefined) return;
    if (spec.model_source !== 'huggingface' && spec.model_source !== 'modelscope') return;
    if (!REPO_ID_PATTERN.test(spec.model_name) || spec.model_name.includes('..')) return;
    let detail: CatalogModelDetail;
    try {
      detail = await this.providers[spec.model_source].detail(spec.model_name, spec.revision);
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err), model_id: spec.model_name },
        'could not check the GGUF variant on the hub',
      );
      return;
    }
    ggufVariantOrThrow(detail.files, choiceOf(spec), `${spec.model_source}:${spec.model_name}`);
  }

  /**
   * Creates spec + deployment for a hub repository. The hub is asked for the file list (to size the
   * weights); a repository the hub says does not exist is refused, while a hub that does not answer only
   * adds a warning: importing must keep working when the hub is away.
   */
  async import(body: ImportBody, actor: string, by?: string): Promise<{ uid: string; warnings: string[] }> {
    checkId(body.model_id);
    checkGgufFields(body);
    const provider = this.providers[body.provider];
    const warnings: string[] = [];
    let weights: number | undefined;
    const llama = body.engine_type === 'llamacpp';
    let detail: CatalogModelDetail | undefined;
    let files: { path: string; size: number | null }[] | undefined;
    try {
      detail = await provider.detail(body.model_id, body.revision);
      files = detail.files;
      weights = weightsBytes(detail.files);
      if (detail.gated)
        warnings.push('this repository is gated: nodes need a hub token (HF_TOKEN) to download it');
    } catch (err) {
      if (err instanceof HubNotFoundError) {
        throw errors.notFound(
          'CATALOG_MODEL_NOT_FOUND',
          `"${body.model_id}" was not found on ${body.provider}`,
          {
            provider: body.provider,
            model_id: body.model_id,
          },
        );
      }
      if (!(err instanceof ApiError)) throw err;
      this.logger.warn(
        { err: errorMessage(err), model_id: body.model_id },
        'hub unavailable during import; importing without file sizes',
      );
      warnings.push(
        `could not read the file list from ${body.provider} (${err.message}); the model was imported without its size`,
      );
    }
    if (detail && llama) {
      // llama.cpp loads one variant: refuse a choice the repository does not have before creating
      // anything, and size the model by that variant alone.
      const variant = ggufVariantOrThrow(detail.files, choiceOf(body), `${body.provider}:${body.model_id}`);
      weights = variant.size ?? undefined;
    }
    const resources = { ...(body.resources ?? {}) };
    if (weights !== undefined && resources.weights_bytes === undefined) resources.weights_bytes = weights;
    const uid = await this.models.create(
      {
        model_uid: body.model_uid,
        spec: {
          model_name: body.model_id,
          model_source: body.provider,
          revision: body.revision ?? provider.defaultRevision,
          engine_type: body.engine_type,
          ...choiceOf(body),
          resources,
          ...(body.description !== undefined ? { description: body.description } : {}),
        },
        replicas: body.replicas,
        auto_start: body.auto_start,
        files,
      },
      actor,
      by,
    );
    return { uid, warnings };
  }
}
