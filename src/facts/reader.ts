/**
 * Reads a model's facts from its files: the hub's file list (sizes before any download), `config.json`
 * (or the safetensors index) and, for GGUF, the file's header over HTTP Range requests; for local models
 * the same from the directory or .gguf file on this machine. Every hub call goes through the hub client
 * and its allowlist. Failures never throw: they leave facts out and say why (`reason`, `notes`).
 */
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFacts, type ModelFactsIdentity } from '../core/domain/model-facts.js';
import type { EngineType } from '../core/domain/model.js';
import { errorMessage } from '../core/errors.js';
import { hubFileUrl, hubRevision, type HubClient, type HubName } from '../hub/index.js';
import { factsFromConfig, totalSizeFromIndex, type GeometryFacts } from './config-json.js';
import { readGgufFacts, type GgufFacts, type RangeReader } from './gguf-header.js';
import { selectWeightFiles, type RepoFile, type WeightSelection } from './weight-files.js';

export interface FactsTarget {
  model_name: string;
  model_source: 'huggingface' | 'modelscope' | 'local';
  revision: string;
  model_path?: string | undefined;
  engine_type: EngineType;
  /** The GGUF file (exact name or quantisation tag) the engine loads, when the spec names one. */
  file?: string | undefined;
}

export interface FactsReaderDeps {
  /** One hub client per hub (the same clients, policy and allowlist the catalog uses). */
  hubs: Record<HubName, HubClient>;
  /** A repository's files with sizes (the catalog's listing); throws when the hub does not answer. */
  listFiles: (hub: HubName, repoId: string, revision: string) => Promise<RepoFile[]>;
  now: () => number;
  /** Budget of the whole read (default 15 s). */
  timeoutMs?: number;
}

export interface FactsResult {
  /** Absent when nothing could be learned. */
  facts?: ModelFacts;
  /** One line: why facts are absent or partial. */
  reason?: string;
}

const CONFIG_MAX_BYTES = 1024 * 1024;
const INDEX_MAX_BYTES = 16 * 1024 * 1024;

/** Reads the facts of `t`; `files` skips the listing when the caller already has it (catalog import). */
export async function readModelFacts(
  t: FactsTarget,
  deps: FactsReaderDeps,
  opts: { files?: RepoFile[] } = {},
): Promise<FactsResult> {
  const notes: string[] = [];
  const signal = AbortSignal.timeout(deps.timeoutMs ?? 15_000);
  let out: Partial<ModelFacts> = {};
  try {
    out =
      t.model_source === 'local'
        ? await fromLocal(t, notes)
        : await fromHub(t, t.model_source, deps, notes, signal, opts.files);
  } catch (err) {
    notes.push(errorMessage(err));
  }
  const learned = out.weights_bytes !== undefined || out.num_layers !== undefined;
  if (!learned) return { reason: notes.join('; ') || 'nothing known from the files' };
  const read_for: ModelFactsIdentity = {
    model_name: t.model_name,
    model_source: t.model_source,
    revision: t.revision,
    ...(t.model_path !== undefined ? { model_path: t.model_path } : {}),
    ...(t.file !== undefined ? { file: t.file } : {}),
  };
  const parsed = ModelFacts.safeParse({
    format: 'unknown',
    ...out,
    read_for,
    computed_at: new Date(deps.now()).toISOString(),
    notes: notes.slice(0, 10).map((n) => n.slice(0, 300)),
  });
  if (!parsed.success) return { reason: `facts did not validate: ${parsed.error.issues[0]?.message ?? ''}` };
  return notes.length ? { facts: parsed.data, reason: notes.join('; ') } : { facts: parsed.data };
}

function sumSizes(files: RepoFile[]): number | undefined {
  if (files.length === 0 || files.some((f) => f.size === null)) return undefined;
  return files.reduce((n, f) => n + (f.size ?? 0), 0);
}

function weightsPart(sel: WeightSelection, from: 'hub-file-list' | 'local-files'): Partial<ModelFacts> {
  const bytes = sumSizes(sel.files);
  return bytes !== undefined ? { weights_bytes: bytes, weights_from: from } : {};
}

function geometry(g: GeometryFacts | GgufFacts, from: 'config.json' | 'gguf-header'): Partial<ModelFacts> {
  return g.num_layers !== undefined ? { ...g, geometry_from: from } : { ...g };
}

async function fromHub(
  t: FactsTarget,
  hub: HubName,
  deps: FactsReaderDeps,
  notes: string[],
  signal: AbortSignal,
  given: RepoFile[] | undefined,
): Promise<Partial<ModelFacts>> {
  const client = deps.hubs[hub];
  const rev = hubRevision(hub, t.revision);
  const files = given ?? (await deps.listFiles(hub, t.model_name, rev));
  const sel = selectWeightFiles(files, { engine: t.engine_type, file: t.file });
  if (sel.note) notes.push(sel.note);
  let out: Partial<ModelFacts> = { format: sel.format, ...weightsPart(sel, 'hub-file-list') };
  const url = (path: string) => hubFileUrl(hub, client.policy, t.model_name, rev, path);
  if (sel.format === 'gguf' && sel.ggufFile) {
    const read: RangeReader = async (start, end) => {
      const r = await client.range(url(sel.ggufFile!), start, end, {
        signal,
        what: `GGUF header of ${sel.ggufFile}`,
      });
      return r.total !== undefined ? { bytes: r.bytes, total: r.total } : { bytes: r.bytes };
    };
    try {
      out = { ...out, ...geometry(await readGgufFacts(read), 'gguf-header') };
    } catch (err) {
      notes.push(`GGUF header of ${sel.ggufFile}: ${errorMessage(err)}`);
    }
    return out;
  }
  if (files.some((f) => f.path === 'config.json')) {
    try {
      const cfg = await client.json(url('config.json'), {
        signal,
        what: 'config.json',
        maxBytes: CONFIG_MAX_BYTES,
      });
      out = { ...out, ...geometry(factsFromConfig(cfg.body), 'config.json') };
    } catch (err) {
      notes.push(`config.json: ${errorMessage(err)}`);
    }
  } else notes.push('no config.json in the repository');
  if (out.weights_bytes === undefined && files.some((f) => f.path === 'model.safetensors.index.json')) {
    try {
      const idx = await client.json(url('model.safetensors.index.json'), {
        signal,
        what: 'safetensors index',
        maxBytes: INDEX_MAX_BYTES,
      });
      const total = totalSizeFromIndex(idx.body);
      if (total !== undefined) out = { ...out, weights_bytes: total, weights_from: 'safetensors-index' };
    } catch (err) {
      notes.push(`safetensors index: ${errorMessage(err)}`);
    }
  }
  return out;
}

/** A RangeReader over a local file. */
function localReader(path: string): RangeReader {
  return async (start, end) => {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const len = Math.max(0, Math.min(end, size - 1) - start + 1);
      const buf = Buffer.alloc(len);
      if (len > 0) await fh.read(buf, 0, len, start);
      return { bytes: buf, total: size };
    } finally {
      await fh.close();
    }
  };
}

async function fromLocal(t: FactsTarget, notes: string[]): Promise<Partial<ModelFacts>> {
  const p = t.model_path;
  if (!p || !p.startsWith('/') || p.split('/').includes('..')) {
    notes.push('no absolute model_path');
    return {};
  }
  let st;
  try {
    st = await stat(p);
  } catch {
    notes.push(`model_path is not visible to the server (${p}); facts come from the node's files only`);
    return {};
  }
  let files: RepoFile[];
  let dir: string;
  if (st.isFile()) {
    dir = p.slice(0, p.lastIndexOf('/')) || '/';
    files = [{ path: p.slice(p.lastIndexOf('/') + 1), size: st.size }];
  } else if (st.isDirectory()) {
    dir = p;
    files = [];
    for (const e of (await readdir(p, { withFileTypes: true })).slice(0, 10_000)) {
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      try {
        const s = await stat(join(p, e.name));
        if (s.isFile()) files.push({ path: e.name, size: s.size });
      } catch {
        /* a dangling link: not a weight file */
      }
    }
  } else {
    notes.push('model_path is neither a file nor a directory');
    return {};
  }
  const sel = selectWeightFiles(files, {
    engine: t.engine_type,
    file: t.file ?? (st.isFile() ? files[0]!.path : undefined),
  });
  // A split GGUF named by its first part: the other parts sit beside it.
  if (st.isFile() && sel.format === 'gguf' && /-00001-of-\d{5}\.gguf$/i.test(p)) {
    const siblings: RepoFile[] = [];
    for (const name of await readdir(dir)) {
      if (/\.gguf$/i.test(name)) siblings.push({ path: name, size: (await stat(join(dir, name))).size });
    }
    const all = selectWeightFiles(siblings, { engine: t.engine_type, file: files[0]!.path });
    sel.files = all.files;
  }
  if (sel.note) notes.push(sel.note);
  let out: Partial<ModelFacts> = { format: sel.format, ...weightsPart(sel, 'local-files') };
  if (sel.format === 'gguf' && sel.ggufFile) {
    try {
      out = { ...out, ...geometry(await readGgufFacts(localReader(join(dir, sel.ggufFile))), 'gguf-header') };
    } catch (err) {
      notes.push(`GGUF header: ${errorMessage(err)}`);
    }
  } else if (files.some((f) => f.path === 'config.json')) {
    try {
      const fh = join(dir, 'config.json');
      if ((await stat(fh)).size > CONFIG_MAX_BYTES) throw new Error('config.json is too large');
      out = { ...out, ...geometry(factsFromConfig(JSON.parse(await readFile(fh, 'utf8'))), 'config.json') };
    } catch (err) {
      notes.push(`config.json: ${errorMessage(err)}`);
    }
  }
  return out;
}
