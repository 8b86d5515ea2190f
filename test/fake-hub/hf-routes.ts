/**
 * The Hugging Face Hub API, as far as Nebula uses it: model search with cursor paging (Link header), model
 * info (siblings, blobs, safetensors, usedStorage), the recursive tree, and `resolve` downloads with the
 * hub's headers (ETag, X-Repo-Commit, X-Linked-Etag / X-Linked-Size), LFS redirects to a CDN path, Range
 * requests and gated repositories.
 */
import { createHmac } from 'node:crypto';
import type { Repo, RepoFile } from './catalog.js';
import { sendFile, sendJson, type Ctx } from './http-util.js';

export interface HfState {
  repos: Map<string, Repo>;
  tokens: Set<string>;
  lfsRedirect: boolean;
  secret: string;
  /** Host name the CDN links use instead of the hub's (another origin on the same server). */
  cdnHost: string | undefined;
  /** Ignore `?blobs=true` (siblings without sizes or hashes, like some mirrors): clients must use the tree. */
  noBlobs: boolean;
}

function hfError(ctx: Ctx, status: number, code: string, message: string): void {
  sendJson(ctx, status, { error: message }, { 'X-Error-Code': code, 'X-Error-Message': message });
}

function visible(s: HfState, id: string): Repo | undefined {
  const r = s.repos.get(id);
  return r && (r.model.hubs ?? ['huggingface', 'modelscope']).includes('huggingface') ? r : undefined;
}

/** `main` or the commit id (the fake hub keeps one revision per repository). */
function revisionOk(repo: Repo, rev: string): boolean {
  return rev === 'main' || rev === repo.commit;
}

function listItem(repo: Repo, full: boolean): Record<string, unknown> {
  const m = repo.model;
  const item: Record<string, unknown> = {
    _id: repo.commit.slice(0, 24),
    id: m.id,
    modelId: m.id,
    author: m.id.split('/')[0],
    likes: m.likes ?? 0,
    trendingScore: Math.round((m.likes ?? 0) / 10),
    private: m.private ?? false,
    gated: m.gated ?? false,
    downloads: m.downloads ?? 0,
    tags: m.tags ?? [],
    pipeline_tag: m.task,
    library_name: m.library,
    createdAt: repo.createdAt,
    lastModified: repo.lastModified,
    sha: repo.commit,
  };
  if (full) item['siblings'] = repo.files.map((f) => ({ rfilename: f.path }));
  return item;
}

const SORT_KEYS: Record<string, (r: Repo) => number | string> = {
  downloads: (r) => r.model.downloads ?? 0,
  likes: (r) => r.model.likes ?? 0,
  trendingScore: (r) => r.model.likes ?? 0,
  lastModified: (r) => r.lastModified,
  createdAt: (r) => r.createdAt,
  id: (r) => r.model.id,
  modelId: (r) => r.model.id,
};

function listModels(ctx: Ctx, s: HfState): void {
  const q = ctx.url.searchParams;
  const search = (q.get('search') ?? '').toLowerCase();
  const author = q.get('author');
  const filters = q
    .getAll('filter')
    .flatMap((f) => f.split(','))
    .filter(Boolean);
  const pipeline = q.get('pipeline_tag');
  let rows = [...s.repos.values()].filter((r) => visible(s, r.model.id));
  if (search) rows = rows.filter((r) => r.model.id.toLowerCase().includes(search));
  if (author) rows = rows.filter((r) => r.model.id.split('/')[0] === author);
  if (pipeline) rows = rows.filter((r) => r.model.task === pipeline);
  for (const f of filters)
    rows = rows.filter(
      (r) => r.model.task === f || (r.model.tags ?? []).includes(f) || r.model.library === f,
    );
  const sort = q.get('sort');
  const key = sort ? SORT_KEYS[sort] : undefined;
  if (sort && !key) return hfError(ctx, 400, 'BadRequest', `Invalid sort parameter: ${sort}`);
  if (key) {
    const dir = q.get('direction') === '1' ? 1 : -1;
    rows.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
  }
  const limitRaw = q.get('limit');
  const limit = Math.min(1000, Math.max(1, limitRaw ? Number(limitRaw) || 1000 : 1000));
  let offset = 0;
  const cursor = q.get('cursor');
  if (cursor) {
    try {
      offset = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o: number }).o;
    } catch {
      return hfError(ctx, 400, 'BadRequest', 'Invalid cursor');
    }
  }
  const page = rows.slice(offset, offset + limit);
  const headers: Record<string, string> = {};
  if (offset + limit < rows.length) {
    const next = new URL(ctx.url.pathname, ctx.base);
    for (const [k, v] of q) if (k !== 'cursor') next.searchParams.append(k, v);
    next.searchParams.set('cursor', Buffer.from(JSON.stringify({ o: offset + limit })).toString('base64url'));
    headers['Link'] = `<${next.toString()}>; rel="next"`;
  }
  sendJson(
    ctx,
    200,
    page.map((r) => listItem(r, q.get('full') === 'true' || q.get('full') === '1')),
    headers,
  );
}

function sibling(f: RepoFile, blobs: boolean): Record<string, unknown> {
  if (!blobs) return { rfilename: f.path };
  const d = f.digests();
  const p = f.pointer();
  const out: Record<string, unknown> = { rfilename: f.path, blobId: p ? p.oid : d.gitOid, size: f.size };
  if (p) out['lfs'] = { sha256: d.sha256, size: f.size, pointerSize: p.size };
  return out;
}

function modelInfo(ctx: Ctx, repo: Repo, s: HfState): void {
  const m = repo.model;
  const blobs = ctx.url.searchParams.get('blobs') === 'true' && !s.noBlobs;
  const params = m.parameters ?? 0;
  sendJson(ctx, 200, {
    ...listItem(repo, false),
    disabled: false,
    config: { architectures: ['LlamaForCausalLM'], model_type: 'llama' },
    cardData: { license: 'apache-2.0', pipeline_tag: m.task },
    siblings: repo.files.map((f) => sibling(f, blobs)),
    spaces: [],
    safetensors: params ? { parameters: { BF16: params }, total: params } : undefined,
    usedStorage: repo.files.reduce((n, f) => n + f.size, 0),
  });
}

function tree(ctx: Ctx, repo: Repo, under: string): void {
  const recursive =
    ctx.url.searchParams.get('recursive') === 'true' || ctx.url.searchParams.get('recursive') === '1';
  const prefix = under ? `${under.replace(/\/$/, '')}/` : '';
  const entries: Record<string, unknown>[] = [];
  const dirs = new Set<string>();
  for (const f of repo.files) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length);
    const parts = rest.split('/');
    // Directories on the way (once each).
    for (let i = 1; i < parts.length; i++) {
      const dir = prefix + parts.slice(0, i).join('/');
      if (dirs.has(dir) || (!recursive && i > 1)) continue;
      dirs.add(dir);
      entries.push({ type: 'directory', oid: repo.commit, size: 0, path: dir });
    }
    if (!recursive && parts.length > 1) continue;
    const d = f.digests();
    const p = f.pointer();
    const e: Record<string, unknown> = {
      type: 'file',
      oid: p ? p.oid : d.gitOid,
      size: f.size,
      path: f.path,
    };
    if (p) e['lfs'] = { oid: d.sha256, size: f.size, pointerSize: p.size };
    entries.push(e);
  }
  if (under && entries.length === 0)
    return hfError(ctx, 404, 'EntryNotFound', `${under} does not exist on "${repo.commit}"`);
  sendJson(ctx, 200, entries);
}

function authorized(ctx: Ctx, s: HfState, repo: Repo): boolean {
  if (!repo.model.gated && !repo.model.private) return true;
  const h = ctx.req.headers.authorization ?? '';
  const m = /^Bearer (.+)$/.exec(h);
  if (m?.[1] && s.tokens.has(m[1])) return true;
  hfError(
    ctx,
    401,
    repo.model.private ? 'RepoNotFound' : 'GatedRepo',
    `Access to model ${repo.model.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
  );
  return false;
}

function sign(s: HfState, sha: string, expires: number): string {
  return createHmac('sha256', s.secret).update(`${sha}:${expires}`).digest('hex').slice(0, 32);
}

async function resolve(ctx: Ctx, s: HfState, repo: Repo, rev: string, path: string): Promise<void> {
  if (!revisionOk(repo, rev)) return hfError(ctx, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
  if (!authorized(ctx, s, repo)) return;
  const f = repo.files.find((x) => x.path === path);
  if (!f) return hfError(ctx, 404, 'EntryNotFound', `${path} does not exist on "${rev}"`);
  const d = f.digests();
  const common: Record<string, string> = { 'X-Repo-Commit': repo.commit };
  if (f.lfs) {
    common['X-Linked-Etag'] = `"${d.sha256}"`;
    common['X-Linked-Size'] = String(f.size);
    if (s.lfsRedirect) {
      const expires = Math.floor(Date.now() / 1000) + 3600;
      const cdnBase = new URL(ctx.base);
      if (s.cdnHost) cdnBase.hostname = s.cdnHost;
      const loc = `${cdnBase.origin}/cdn-lfs/${repo.model.id}/${d.sha256}?expires=${expires}&sig=${sign(s, d.sha256, expires)}&name=${encodeURIComponent(path)}`;
      ctx.log.status = 302;
      ctx.res.writeHead(302, { ...common, ETag: `"${d.sha256}"`, Location: loc, 'Content-Length': '0' });
      ctx.res.end();
      return;
    }
    return sendFile(ctx, f.source, { ...common, ETag: `"${d.sha256}"` });
  }
  return sendFile(ctx, f.source, { ...common, ETag: `"${d.gitOid}"` });
}

async function cdn(ctx: Ctx, s: HfState, id: string, sha: string): Promise<void> {
  const q = ctx.url.searchParams;
  const expires = Number(q.get('expires'));
  if (!expires || q.get('sig') !== sign(s, sha, expires) || expires * 1000 < Date.now()) {
    ctx.log.status = 403;
    ctx.res.writeHead(403, { 'Content-Type': 'text/plain' });
    ctx.res.end('Request has expired or signature does not match');
    return;
  }
  const f = s.repos.get(id)?.files.find((x) => x.lfs && x.digests().sha256 === sha);
  if (!f) return hfError(ctx, 404, 'EntryNotFound', 'no such object');
  return sendFile(ctx, f.source, {
    ETag: `"${sha}"`,
    'Content-Disposition': `attachment; filename="${f.path.split('/').pop() ?? ''}"`,
  });
}

/** Handles the request when it is a Hugging Face route; false when the path is not one. */
export async function handleHf(ctx: Ctx, s: HfState): Promise<boolean> {
  const r = dispatch(ctx, s);
  if (r === false) return false;
  await r;
  return true;
}

function dispatch(ctx: Ctx, s: HfState): Promise<void> | void | false {
  const { segs } = ctx;
  const method = ctx.req.method ?? 'GET';
  const get = method === 'GET' || method === 'HEAD';
  if (segs[0] === 'api' && segs[1] === 'models') {
    ctx.log.hub = 'huggingface';
    if (!get) return hfError(ctx, 405, 'MethodNotAllowed', 'method not allowed');
    if (segs.length === 2) return listModels(ctx, s);
    const id = `${segs[2]}/${segs[3] ?? ''}`;
    const repo = visible(s, id);
    if (!repo || segs.length < 4) return hfError(ctx, 404, 'RepoNotFound', 'Repository not found');
    if (segs.length === 4) return modelInfo(ctx, repo, s);
    if (segs[4] === 'revision' && segs.length === 6) {
      if (!revisionOk(repo, segs[5] ?? ''))
        return hfError(ctx, 404, 'RevisionNotFound', `Invalid rev id: ${segs[5]}`);
      return modelInfo(ctx, repo, s);
    }
    if (segs[4] === 'tree' && segs.length >= 6) {
      if (!revisionOk(repo, segs[5] ?? ''))
        return hfError(ctx, 404, 'RevisionNotFound', `Invalid rev id: ${segs[5]}`);
      return tree(ctx, repo, segs.slice(6).join('/'));
    }
    return hfError(ctx, 404, 'NotFound', 'Not found');
  }
  if (segs[0] === 'cdn-lfs' && segs.length === 4 && get) {
    ctx.log.hub = 'cdn';
    return cdn(ctx, s, `${segs[1]}/${segs[2]}`, segs[3] ?? '');
  }
  if (segs.length >= 5 && segs[2] === 'resolve' && get) {
    ctx.log.hub = 'huggingface';
    const repo = visible(s, `${segs[0]}/${segs[1]}`);
    if (!repo) return hfError(ctx, 404, 'RepoNotFound', 'Repository not found');
    return resolve(ctx, s, repo, segs[3] ?? '', segs.slice(4).join('/'));
  }
  return false;
}
