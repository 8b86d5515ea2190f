/**
 * One HTTP server that speaks both hubs (their paths do not collide: Hugging Face under `/api/models`,
 * `/{org}/{name}/resolve/...` and `/cdn-lfs/...`; ModelScope under `/api/v1/...`, `/openapi/v1/...` and
 * `/models/{org}/{name}/resolve/...`). Set `HF_ENDPOINT` and `MODELSCOPE_ENDPOINT` both to `url`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildRepo, defaultCatalog, type FakeModel, type Repo } from './catalog.js';
import { FailureRules, type FailureSpec } from './failures.js';
import { handleHf, type HfState } from './hf-routes.js';
import { sendJson, type Ctx, type RequestLogEntry } from './http-util.js';
import { handleMs, type MsState } from './ms-routes.js';

/** The Hugging Face token the fake hub accepts for gated repositories unless told otherwise. */
export const FAKE_HF_TOKEN = 'hf_nebula_test_token';

export interface FakeHubOptions {
  port?: number;
  host?: string;
  /** The models served; default: `defaultCatalog()`. */
  models?: FakeModel[];
  /** Models added to `models` (or to the default catalog). */
  extraModels?: FakeModel[];
  /** Tokens accepted for gated Hugging Face repositories (default [FAKE_HF_TOKEN]). */
  hfTokens?: string[];
  /** Answer `resolve` of LFS files with a 302 to a signed `/cdn-lfs/` URL, as the real hub does (default true). */
  lfsRedirect?: boolean;
  /**
   * Host name for the CDN links (e.g. 'localhost' while the hub is http://127.0.0.1:port): the same server
   * under another origin, to test redirect allowlists and that tokens stay with the hub.
   */
  cdnHost?: string;
  /** Answer `?blobs=true` without sizes and hashes (forces clients onto the tree API). */
  noBlobs?: boolean;
}

export interface FakeHub {
  /** Base URL for both hubs, e.g. http://127.0.0.1:43123 (no trailing slash). */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Adds or replaces a model; replacing bumps its commit (a new push). */
  addModel(model: FakeModel): Repo;
  removeModel(id: string): void;
  /** The repository of a model (files, digests, commit), for assertions. */
  repo(id: string): Repo | undefined;
  /** Replaces the failure rules (null clears them). */
  setFailure(f: FailureSpec | FailureSpec[] | null): void;
  addFailure(f: FailureSpec | FailureSpec[]): void;
  /** Every request, in arrival order (entries are updated when their response ends). */
  readonly requests: RequestLogEntry[];
  clearRequests(): void;
}

function splitPath(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

export async function startFakeHub(opts: FakeHubOptions = {}): Promise<FakeHub> {
  const repos = new Map<string, Repo>();
  const generations = new Map<string, number>();
  const add = (m: FakeModel): Repo => {
    const gen = (generations.get(m.id) ?? 0) + 1;
    generations.set(m.id, gen);
    const r = buildRepo(m, gen);
    repos.set(m.id, r);
    return r;
  };
  for (const m of [...(opts.models ?? defaultCatalog()), ...(opts.extraModels ?? [])]) add(m);
  const failures = new FailureRules();
  const requests: RequestLogEntry[] = [];
  const hf: HfState = {
    repos,
    tokens: new Set(opts.hfTokens ?? [FAKE_HF_TOKEN]),
    lfsRedirect: opts.lfsRedirect ?? true,
    secret: randomBytes(16).toString('hex'),
    cdnHost: opts.cdnHost,
    noBlobs: opts.noBlobs ?? false,
  };
  const ms: MsState = { repos };
  let base = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    let decoded = url.pathname;
    try {
      decoded = decodeURIComponent(url.pathname) + (url.search ? decodeURIComponent(url.search) : '');
    } catch {
      /* keep raw */
    }
    const log: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: decoded,
      hub: 'unknown',
      auth: !!req.headers.authorization,
      status: 0,
      bytes: 0,
      at: Date.now(),
    };
    if (req.headers.range) log.range = req.headers.range;
    requests.push(log);
    const info = { method: log.method, path: decoded };
    if (failures.take('unreachable', info)) {
      req.socket.destroy();
      return;
    }
    const injected = failures.take('status', info);
    const segs = splitPath(url.pathname);
    const ctx: Ctx = { req, res, url, segs: segs ?? [], info, log, failures, base };
    if (injected) return sendJson(ctx, injected.status ?? 500, { error: 'injected failure' });
    if (!segs) return sendJson(ctx, 400, { error: 'bad path' });
    if (await handleHf(ctx, hf)) return;
    if (await handleMs(ctx, ms)) return;
    sendJson(ctx, 404, { error: 'Not Found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  return {
    url: base,
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    addModel: add,
    removeModel: (id) => void repos.delete(id),
    repo: (id) => repos.get(id),
    setFailure: (f) => failures.set(f),
    addFailure: (f) => failures.add(f),
    requests,
    clearRequests: () => void requests.splice(0, requests.length),
  };
}
