import { z } from 'zod';
import { EngineType, Revision } from '../../core/domain/index.js';
import { ModelUid } from '../../core/ids.js';
import { ModelView, SpecFields } from './models.js';

/** Preset providers only (no URLs from requests: SSRF). `hf` and `ms` are accepted as aliases. */
export const CatalogProvider = z.preprocess(
  (v) => (v === 'hf' ? 'huggingface' : v === 'ms' ? 'modelscope' : v),
  z.enum(['huggingface', 'modelscope']),
);
export type CatalogProvider = 'huggingface' | 'modelscope';

/**
 * Hub repository ids: `name` or `owner/name`, letters, digits, ".", "_" and "-", no "..", no leading
 * punctuation. Nothing else reaches a hub URL, so ids like `../x`, `a@b`, `http://...` are refused.
 */
export const REPO_ID_PATTERN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?\/)?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;
export const RepoId = z
  .string()
  .max(200)
  .regex(REPO_ID_PATTERN, 'model_id must look like "owner/name"')
  .refine((s) => !s.includes('..'), 'model_id must not contain ".."');

export const SearchQuery = z.object({
  provider: CatalogProvider,
  q: z.string().max(200).default(''),
  page: z.coerce.number().int().min(1).max(50).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const CatalogItem = z
  .object({
    id: z.string(),
    source: z.enum(['huggingface', 'modelscope']),
    name: z.string(),
    author: z.string().nullable(),
    task: z.string().nullable(),
    /** Size of the repository's files in bytes, when the hub says. */
    size: z.number().nullable(),
    downloads: z.number().nullable(),
    likes: z.number().nullable(),
    updated_at: z.string().nullable(),
    tags: z.array(z.string()),
    library: z.string().nullable(),
  })
  .meta({ id: 'CatalogItem' });
export type CatalogItem = z.infer<typeof CatalogItem>;

export const SearchResponse = z
  .object({
    provider: z.enum(['huggingface', 'modelscope']),
    query: z.string(),
    page: z.number().int(),
    limit: z.number().int(),
    items: z.array(CatalogItem),
    has_more: z.boolean(),
  })
  .meta({ id: 'CatalogSearchResponse' });
export type SearchResponse = z.infer<typeof SearchResponse>;

export const CatalogFile = z.object({ path: z.string(), size: z.number().nullable() });

/** One loadable GGUF model of a repository: a file, or every part of a split model. */
export const CatalogGgufVariant = z
  .object({
    /** What `gguf_file` names: the file, or the first part of a split model. */
    name: z.string(),
    /** Quantisation tag from the file name (what `gguf_quant` names), null when none. */
    quant: z.string().nullable(),
    files: z.array(z.string()),
    /** Total bytes of its files, null when a size is unknown. */
    size: z.number().nullable(),
    /** The variant loaded when the model names none (the default rule). */
    default: z.boolean(),
  })
  .meta({ id: 'CatalogGgufVariant' });
export type CatalogGgufVariant = z.infer<typeof CatalogGgufVariant>;

export const CatalogModelDetail = CatalogItem.extend({
  revision: z.string(),
  sha: z.string().nullable(),
  files: z.array(CatalogFile),
  total_size: z.number().nullable(),
  gated: z.boolean(),
  /** GGUF variants (engine `llamacpp` loads one); empty for repositories without `.gguf` files. */
  gguf_variants: z.array(CatalogGgufVariant),
  /** Name of the variant the default rule picks, null without variants. */
  gguf_default: z.string().nullable(),
  /** The default rule in words. */
  gguf_default_rule: z.string(),
}).meta({ id: 'CatalogModelDetail' });
export type CatalogModelDetail = z.infer<typeof CatalogModelDetail>;

export const CatalogModelParams = z.object({ provider: CatalogProvider, model_id: RepoId });
export const CatalogModelParams2 = z.object({
  provider: CatalogProvider,
  owner: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/),
});
export const CatalogRevisionQuery = z.object({ revision: Revision.optional() });

export const ImportBody = z
  .strictObject({
    provider: CatalogProvider,
    model_id: RepoId,
    model_uid: ModelUid.optional(),
    revision: SpecFields.revision,
    engine_type: EngineType.default('vllm'),
    replicas: z.number().int().min(0).max(1000).default(1),
    auto_start: z.boolean().default(true),
    /**
     * With `auto_start` false: download the weights onto the nodes that would run the model (default true:
     * an import that does not start is a download-only import; `false` creates the model only).
     */
    pull: z.boolean().optional(),
    resources: SpecFields.resources,
    description: SpecFields.description,
    /** llama.cpp: the GGUF variant to load by file name (see the detail's `gguf_variants`). */
    gguf_file: SpecFields.gguf_file,
    /** llama.cpp: the GGUF variant to load by quantisation tag; neither: the default rule. */
    gguf_quant: SpecFields.gguf_quant,
  })
  .meta({ id: 'CatalogImportBody' });
export type ImportBody = z.infer<typeof ImportBody>;

export const ImportResponse = z
  .object({
    model: ModelView,
    warnings: z.array(z.string()),
    /** Nodes a download-only import started downloading on (absent: no download was started). */
    pull_nodes: z.array(z.string()).optional(),
  })
  .meta({ id: 'CatalogImportResponse' });
export type ImportResponse = z.infer<typeof ImportResponse>;
