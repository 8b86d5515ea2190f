/**
 * The ModelScope API, as its Python client and web console use it: the console's search
 * (`PUT /api/v1/dolphin/models`), the owner listing (`PUT /api/v1/models`), the OpenAPI listing
 * (`GET /openapi/v1/models`), model info, revisions, the file list (`repo/files`) and file download
 * (`repo?FilePath=`, with Range), all in the `{Code, Data, Message, RequestId, Success}` envelope.
 */
import { randomUUID } from 'node:crypto';
import type { Repo } from './catalog.js';
import { readBody, sendFile, sendJson, type Ctx } from './http-util.js';

export interface MsState {
  repos: Map<string, Repo>;
}

const TASK_ZH: Record<string, string> = {
  'text-generation': '文本生成',
  'feature-extraction': '特征抽取',
  'sentence-embedding': '句子嵌入',
  'text-ranking': '文本排序',
  'sentence-similarity': '句子相似度',
};

function ok(ctx: Ctx, data: unknown): void {
  sendJson(ctx, 200, { Code: 200, Data: data, Message: 'success', RequestId: randomUUID(), Success: true });
}

function msError(ctx: Ctx, status: number, code: number, message: string): void {
  sendJson(ctx, status, {
    Code: code,
    Data: null,
    Message: message,
    RequestId: randomUUID(),
    Success: false,
  });
}

function visible(s: MsState, id: string): Repo | undefined {
  const r = s.repos.get(id);
  return r && (r.model.hubs ?? ['huggingface', 'modelscope']).includes('modelscope') && !r.model.private
    ? r
    : undefined;
}

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** A model as ModelScope describes it (search rows and model info share these fields). */
function msModel(repo: Repo, index: number): Record<string, unknown> {
  const m = repo.model;
  const [org, name] = m.id.split('/');
  const size = repo.files.reduce((n, f) => n + f.size, 0);
  return {
    Id: 100000 + index,
    Name: name,
    Path: org,
    ChineseName: m.chineseName ?? '',
    Description: m.description ?? '',
    Downloads: m.downloads ?? 0,
    Stars: m.likes ?? 0,
    Likes: m.likes ?? 0,
    Tasks: m.task ? [{ Name: m.task, ChineseName: TASK_ZH[m.task] ?? m.task }] : [],
    Tags: m.tags ?? [],
    Libraries: m.library ? [m.library] : [],
    License: 'Apache License 2.0',
    ModelType: ['nlp'],
    CreatedTime: unix(repo.createdAt),
    LastUpdatedTime: unix(repo.lastModified),
    StorageSize: size,
    ModelInfos: m.parameters ? { safetensor: { model_size: m.parameters, tensor_type: ['BF16'] } } : {},
    IsPublished: 1,
    Revision: 'master',
  };
}

function revisionOk(repo: Repo, rev: string | null): boolean {
  return rev === null || rev === '' || rev === 'master' || rev === repo.commit;
}

interface Criterion {
  category?: string;
  predicate?: string;
  values?: string[];
}

/** The console's search: Name (substring of org/name), Criterion (tasks, tags, organizations), SortBy, paging. */
async function dolphinSearch(ctx: Ctx, s: MsState): Promise<void> {
  let body: {
    PageSize?: number;
    PageNumber?: number;
    SortBy?: string;
    Name?: string;
    Criterion?: Criterion[];
    SingleCriterion?: Criterion[];
  };
  try {
    body = JSON.parse((await readBody(ctx.req)) || '{}') as typeof body;
  } catch {
    return msError(ctx, 400, 10010201001, 'invalid request body');
  }
  const size = Math.min(100, Math.max(1, Number(body.PageSize ?? 10) || 10));
  const page = Math.max(1, Number(body.PageNumber ?? 1) || 1);
  const name = (body.Name ?? '').toLowerCase();
  let rows = [...s.repos.values()].filter((r) => visible(s, r.model.id));
  if (name) rows = rows.filter((r) => r.model.id.toLowerCase().includes(name));
  for (const c of [...(body.Criterion ?? []), ...(body.SingleCriterion ?? [])]) {
    const vals = c.values ?? [];
    if (!vals.length) continue;
    if (c.category === 'tasks') rows = rows.filter((r) => vals.includes(r.model.task ?? ''));
    if (c.category === 'tags') rows = rows.filter((r) => vals.some((v) => (r.model.tags ?? []).includes(v)));
    if (c.category === 'organizations')
      rows = rows.filter((r) => vals.includes(r.model.id.split('/')[0] ?? ''));
    if (c.category === 'libraries') rows = rows.filter((r) => vals.includes(r.model.library ?? ''));
  }
  sortRows(rows, body.SortBy ?? 'Default');
  const all = [...s.repos.keys()];
  ok(ctx, {
    Model: {
      Models: rows.slice((page - 1) * size, page * size).map((r) => msModel(r, all.indexOf(r.model.id))),
      PageNumber: page,
      PageSize: size,
      TotalCount: rows.length,
    },
  });
}

function sortRows(rows: Repo[], by: string): void {
  const key: (r: Repo) => number =
    by === 'DownloadsCount'
      ? (r) => r.model.downloads ?? 0
      : by === 'StarsCount'
        ? (r) => r.model.likes ?? 0
        : (r) => Date.parse(r.lastModified);
  rows.sort((a, b) => key(b) - key(a));
}

/** `PUT /api/v1/models`: the models of one owner (HubApi.list_models). */
async function ownerList(ctx: Ctx, s: MsState): Promise<void> {
  let body: { Path?: string; PageNumber?: number; PageSize?: number };
  try {
    body = JSON.parse((await readBody(ctx.req)) || '{}') as typeof body;
  } catch {
    return msError(ctx, 400, 10010201001, 'invalid request body');
  }
  const size = Math.min(100, Math.max(1, Number(body.PageSize ?? 10) || 10));
  const page = Math.max(1, Number(body.PageNumber ?? 1) || 1);
  const rows = [...s.repos.values()].filter(
    (r) => visible(s, r.model.id) && (!body.Path || r.model.id.split('/')[0] === body.Path),
  );
  const all = [...s.repos.keys()];
  ok(ctx, {
    Models: rows.slice((page - 1) * size, page * size).map((r) => msModel(r, all.indexOf(r.model.id))),
    TotalCount: rows.length,
  });
}

/** `GET /openapi/v1/models`: the newer public OpenAPI (snake_case). */
function openapiList(ctx: Ctx, s: MsState): void {
  const q = ctx.url.searchParams;
  const size = Math.min(100, Math.max(1, Number(q.get('page_size') ?? 20) || 20));
  const page = Math.max(1, Number(q.get('page_number') ?? 1) || 1);
  const search = (q.get('search') ?? '').toLowerCase();
  const owner = q.get('owner');
  const task = q.get('filter.task');
  let rows = [...s.repos.values()].filter((r) => visible(s, r.model.id));
  if (search) rows = rows.filter((r) => r.model.id.toLowerCase().includes(search));
  if (owner) rows = rows.filter((r) => r.model.id.split('/')[0] === owner);
  if (task) rows = rows.filter((r) => r.model.task === task);
  const sort = q.get('sort') ?? 'default';
  sortRows(rows, sort === 'downloads' ? 'DownloadsCount' : sort === 'likes' ? 'StarsCount' : 'Default');
  sendJson(ctx, 200, {
    success: true,
    request_id: randomUUID(),
    data: {
      total_count: rows.length,
      page_number: page,
      page_size: size,
      models: rows.slice((page - 1) * size, page * size).map((r) => ({
        id: r.model.id,
        display_name: r.model.chineseName || r.model.id.split('/')[1],
        downloads: r.model.downloads ?? 0,
        likes: r.model.likes ?? 0,
        tasks: r.model.task ? [r.model.task] : [],
        file_size: r.files.reduce((n, f) => n + f.size, 0),
        params: r.model.parameters ?? 0,
        created_at: unix(r.createdAt),
        last_modified: unix(r.lastModified),
      })),
    },
  });
}

function files(ctx: Ctx, repo: Repo): void {
  const q = ctx.url.searchParams;
  if (!revisionOk(repo, q.get('Revision')))
    return msError(ctx, 404, 10010205001, `revision ${q.get('Revision')} not found`);
  const recursive = /^(true|1)$/i.test(q.get('Recursive') ?? '');
  const root = (q.get('Root') ?? '').replace(/^\/+|\/+$/g, '');
  const prefix = root ? `${root}/` : '';
  const committed = unix(repo.lastModified);
  const out: Record<string, unknown>[] = [];
  const dirs = new Set<string>();
  for (const f of repo.files) {
    if (!f.path.startsWith(prefix)) continue;
    const parts = f.path.slice(prefix.length).split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = prefix + parts.slice(0, i).join('/');
      if (dirs.has(dir) || (!recursive && i > 1)) continue;
      dirs.add(dir);
      out.push({
        Name: parts[i - 1],
        Path: dir,
        Type: 'tree',
        Size: 0,
        Sha256: '',
        IsLFS: false,
        Mode: '40000',
        Revision: repo.commit,
        CommittedDate: committed,
      });
    }
    if (!recursive && parts.length > 1) continue;
    out.push({
      Id: f.pointer()?.oid ?? f.digests().gitOid,
      Name: parts[parts.length - 1],
      Path: f.path,
      Type: 'blob',
      Size: f.size,
      Sha256: f.digests().sha256,
      IsLFS: f.lfs,
      Mode: '100644',
      Revision: repo.commit,
      CommitMessage: 'upload model',
      CommitterName: 'nebula',
      CommittedDate: committed,
      InCheck: false,
    });
  }
  ok(ctx, {
    Files: out,
    LatestCommitter: { CommitterName: 'nebula', CommittedDate: committed, Id: repo.commit },
  });
}

async function download(ctx: Ctx, repo: Repo, rev: string | null, path: string): Promise<void> {
  if (!revisionOk(repo, rev)) return msError(ctx, 404, 10010205001, `revision ${rev} not found`);
  const f = repo.files.find((x) => x.path === path);
  if (!f) return msError(ctx, 404, 10010205001, `file ${path} not found`);
  return sendFile(ctx, f.source, {
    ETag: `"${f.digests().sha256}"`,
    'Content-Disposition': `attachment; filename="${path.split('/').pop() ?? ''}"`,
  });
}

/** Handles the request when it is a ModelScope route; false when the path is not one. */
export async function handleMs(ctx: Ctx, s: MsState): Promise<boolean> {
  const r = dispatch(ctx, s);
  if (r === false) return false;
  await r;
  return true;
}

function dispatch(ctx: Ctx, s: MsState): Promise<void> | void | false {
  const { segs } = ctx;
  const method = ctx.req.method ?? 'GET';
  const get = method === 'GET' || method === 'HEAD';
  if (segs[0] === 'openapi' && segs[1] === 'v1' && segs[2] === 'models' && segs.length === 3 && get) {
    ctx.log.hub = 'modelscope';
    return openapiList(ctx, s);
  }
  if (segs[0] === 'models' && segs[3] === 'resolve' && segs.length >= 6 && get) {
    ctx.log.hub = 'modelscope';
    const repo = visible(s, `${segs[1]}/${segs[2]}`);
    if (!repo) return msError(ctx, 404, 10010205001, 'model not found');
    return download(ctx, repo, segs[4] ?? null, segs.slice(5).join('/'));
  }
  if (segs[0] !== 'api' || segs[1] !== 'v1') return false;
  ctx.log.hub = 'modelscope';
  if (segs[2] === 'dolphin' && segs[3] === 'models' && segs.length === 4 && method === 'PUT')
    return dolphinSearch(ctx, s);
  if (segs[2] !== 'models') return false;
  if (segs.length === 3 && method === 'PUT') return ownerList(ctx, s);
  if (segs.length < 5) return false;
  const repo = visible(s, `${segs[3]}/${segs[4]}`);
  if (!repo) return msError(ctx, 404, 10010205001, `model ${segs[3]}/${segs[4]} not found`);
  const q = ctx.url.searchParams;
  if (segs.length === 5 && get) {
    if (!revisionOk(repo, q.get('Revision')))
      return msError(ctx, 404, 10010205001, `revision ${q.get('Revision')} not found`);
    const all = [...s.repos.keys()];
    return ok(ctx, msModel(repo, all.indexOf(repo.model.id)));
  }
  if (segs.length === 6 && segs[5] === 'revisions' && get) {
    const created = unix(repo.lastModified);
    return ok(ctx, {
      RevisionMap: {
        Branches: [{ Revision: 'master', CreatedAt: created, CommitId: repo.commit }],
        Tags: [],
      },
    });
  }
  if (segs.length === 7 && segs[5] === 'repo' && segs[6] === 'files' && get) return files(ctx, repo);
  if (segs.length === 6 && segs[5] === 'repo' && get) {
    const path = q.get('FilePath');
    if (!path) return msError(ctx, 400, 10010201001, 'FilePath is required');
    return download(ctx, repo, q.get('Revision'), path);
  }
  return false;
}
