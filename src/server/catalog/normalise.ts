import { defaultGgufVariant, GGUF_DEFAULT_RULE, ggufVariants } from '../../core/gguf-variants.js';
import type { CatalogGgufVariant, CatalogItem, CatalogModelDetail } from '../../api/schemas/catalog.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** First present field among several spellings (hubs mix camelCase, snake_case and PascalCase). */
function pick(o: Json, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
}

/** ISO time from an ISO string or epoch seconds / milliseconds. */
export function isoTime(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    return new Date(v < 1e12 ? v * 1000 : v).toISOString();
  }
  if (typeof v === 'string' && v !== '') {
    if (/^[0-9]+$/.test(v)) return isoTime(Number(v));
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  return null;
}

function splitId(id: string): { author: string | null; name: string } {
  const i = id.indexOf('/');
  return i < 0 ? { author: null, name: id } : { author: id.slice(0, i), name: id.slice(i + 1) };
}

/**
 * Hugging Face `GET /api/models` item: `{id|modelId, author?, downloads, likes, pipeline_tag, tags,
 * library_name, lastModified|createdAt, usedStorage?, siblings?[{rfilename,size?}]}`.
 */
export function normaliseHfItem(raw: unknown): CatalogItem | undefined {
  if (!isObj(raw)) return undefined;
  const id = str(pick(raw, 'id', 'modelId'));
  if (!id) return undefined;
  const { author, name } = splitId(id);
  const siblings = Array.isArray(raw['siblings']) ? raw['siblings'].filter(isObj) : [];
  const sizes = siblings.map((s) => num(s['size']) ?? num(isObj(s['lfs']) ? s['lfs']['size'] : undefined));
  const fromSiblings =
    siblings.length > 0 && sizes.every((s) => s !== null)
      ? sizes.reduce<number>((a, b) => a + (b ?? 0), 0)
      : null;
  return {
    id,
    source: 'huggingface',
    name,
    author: str(raw['author']) ?? author,
    task: str(raw['pipeline_tag']),
    size: num(raw['usedStorage']) ?? fromSiblings,
    downloads: num(raw['downloads']),
    likes: num(raw['likes']),
    updated_at: isoTime(pick(raw, 'lastModified', 'last_modified', 'createdAt')),
    tags: strings(raw['tags']),
    library: str(raw['library_name']),
  };
}

/** ModelScope task names, from `tasks: ["text-generation"]` or `Tasks: [{Name: "text-generation"}]`. */
function msTask(raw: Json): string | null {
  const t = pick(raw, 'tasks', 'Tasks', 'task', 'Task');
  if (typeof t === 'string') return t || null;
  if (Array.isArray(t)) {
    for (const x of t) {
      if (typeof x === 'string' && x) return x;
      if (isObj(x)) {
        const n = str(pick(x, 'Name', 'name'));
        if (n) return n;
      }
    }
  }
  return null;
}

/**
 * ModelScope model: the OpenAPI form `{id, display_name, downloads, likes, last_modified, tasks, tags,
 * file_size?, license}` or the older API form `{Path, Name, Downloads, Stars, LastUpdatedTime, Tasks}`.
 */
export function normaliseMsItem(raw: unknown): CatalogItem | undefined {
  if (!isObj(raw)) return undefined;
  let id = str(pick(raw, 'id', 'model_id', 'ModelId'));
  const path = str(pick(raw, 'Path', 'path', 'owner'));
  const nm = str(pick(raw, 'Name', 'name'));
  if ((!id || !id.includes('/')) && path && nm) id = `${path}/${nm}`;
  if (!id || typeof id !== 'string') return undefined;
  const { author, name } = splitId(id);
  return {
    id,
    source: 'modelscope',
    name,
    author,
    task: msTask(raw),
    size: num(pick(raw, 'file_size', 'FileSize', 'storage_size', 'StorageSize')),
    downloads: num(pick(raw, 'downloads', 'Downloads', 'downloads_count')),
    likes: num(pick(raw, 'likes', 'Stars', 'stars', 'Likes')),
    updated_at: isoTime(
      pick(
        raw,
        'last_modified',
        'LastUpdatedTime',
        'gmt_modified',
        'GmtModified',
        'updated_at',
        'created_at',
        'CreatedTime',
      ),
    ),
    tags: strings(pick(raw, 'tags', 'Tags')),
    library: str(pick(raw, 'library_name', 'Frameworks', 'library')) ?? null,
  };
}

/** The model list inside a ModelScope search answer, whichever envelope it came in. */
export function msSearchList(raw: unknown): { items: unknown[]; total: number | null } {
  if (!isObj(raw)) return { items: [], total: null };
  const data = pick(raw, 'data', 'Data');
  if (Array.isArray(data)) return { items: data, total: null };
  if (!isObj(data)) return { items: [], total: null };
  const direct = pick(data, 'models', 'Models');
  if (Array.isArray(direct))
    return { items: direct, total: num(pick(data, 'total_count', 'TotalCount', 'total')) };
  const nested = pick(data, 'Model', 'model');
  if (isObj(nested)) {
    const list = pick(nested, 'Models', 'models');
    return { items: Array.isArray(list) ? list : [], total: num(pick(nested, 'TotalCount', 'total_count')) };
  }
  return { items: [], total: null };
}

/** The object inside `{success, data: {...}}` / `{Code, Data: {...}}`, or the answer itself. */
export function unwrapData(raw: unknown): Json | undefined {
  if (!isObj(raw)) return undefined;
  const d = pick(raw, 'data', 'Data');
  return isObj(d) ? d : raw;
}

/** Hugging Face files: `siblings[{rfilename, size?, lfs?{size}}]` or a tree `[{type, path, size, lfs?}]`. */
export function hfFiles(raw: unknown): { path: string; size: number | null }[] {
  const list = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw['siblings']) ? raw['siblings'] : [];
  const out: { path: string; size: number | null }[] = [];
  for (const f of list) {
    if (!isObj(f)) continue;
    if (f['type'] !== undefined && f['type'] !== 'file') continue;
    const path = str(pick(f, 'rfilename', 'path'));
    if (!path) continue;
    const lfs = isObj(f['lfs']) ? f['lfs'] : undefined;
    out.push({ path, size: num(lfs?.['size']) ?? num(f['size']) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** ModelScope files: `{Data: {Files: [{Path, Size, Type}]}}` (directories skipped). */
export function msFiles(raw: unknown): { path: string; size: number | null }[] {
  const data = unwrapData(raw);
  const list = data ? pick(data, 'Files', 'files') : undefined;
  if (!Array.isArray(list)) return [];
  const out: { path: string; size: number | null }[] = [];
  for (const f of list) {
    if (!isObj(f)) continue;
    const type = str(pick(f, 'Type', 'type'));
    if (type && type !== 'blob' && type !== 'file') continue;
    const path = str(pick(f, 'Path', 'path', 'Name', 'name'));
    if (!path) continue;
    out.push({ path, size: num(pick(f, 'Size', 'size')) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Total of file sizes, or null when any is unknown. */
export function totalSize(files: readonly { size: number | null }[]): number | null {
  if (files.length === 0) return null;
  let t = 0;
  for (const f of files) {
    if (f.size === null) return null;
    t += f.size;
  }
  return t;
}

/** The GGUF variants of a file list, with the default rule's pick marked. */
export function catalogGgufVariants(files: readonly { path: string; size: number | null }[]): {
  gguf_variants: CatalogGgufVariant[];
  gguf_default: string | null;
} {
  const variants = ggufVariants(files);
  const def = defaultGgufVariant(variants)?.name ?? null;
  return {
    gguf_variants: variants.map((v) => ({ ...v, default: v.name === def })),
    gguf_default: def,
  };
}

/** Builds the detail view from an item, its files and hub extras. */
export function buildDetail(
  item: CatalogItem,
  files: { path: string; size: number | null }[],
  extra: { revision: string; sha: string | null; gated: boolean },
): CatalogModelDetail {
  const total = totalSize(files);
  return {
    ...item,
    size: total ?? item.size,
    ...extra,
    files,
    total_size: total,
    ...catalogGgufVariants(files),
    gguf_default_rule: GGUF_DEFAULT_RULE,
  };
}

/** Hugging Face `gated`: false | "auto" | "manual". */
export function hfGated(raw: unknown): boolean {
  return isObj(raw) && (raw['gated'] === 'auto' || raw['gated'] === 'manual' || raw['gated'] === true);
}

export { isObj, str };
