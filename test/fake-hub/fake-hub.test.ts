import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_HF_TOKEN, readAll, startFakeHub, TINY_GGUF_REPO, type FakeHub } from './index.js';

let hub: FakeHub;
beforeAll(async () => {
  hub = await startFakeHub();
});
afterAll(async () => {
  await hub.stop();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('fake hub: Hugging Face', () => {
  it('pages search results with a Link cursor and sorts by downloads', async () => {
    const ids: string[] = [];
    let next: string | undefined = `${hub.url}/api/models?search=model&limit=20&sort=downloads&direction=-1`;
    let pages = 0;
    while (next) {
      const r: Response = await fetch(next);
      expect(r.status).toBe(200);
      const rows = (await r.json()) as {
        id: string;
        downloads: number;
        modelId: string;
        pipeline_tag: string;
      }[];
      ids.push(...rows.map((x) => x.id));
      next = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(ids).toHaveLength(48);
    expect(new Set(ids).size).toBe(48);
    expect(ids[0]).toBe('Qwen/chat-model-0.5b-v0');
  });

  it('filters by author and pipeline tag', async () => {
    const rows = (await (
      await fetch(`${hub.url}/api/models?author=BAAI&pipeline_tag=text-ranking`)
    ).json()) as { id: string; pipeline_tag: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.id.startsWith('BAAI/')).toBe(true);
      expect(r.pipeline_tag).toBe('text-ranking');
    }
  });

  it('describes a model with blobs, a recursive tree and resolve headers that match the bytes', async () => {
    const repo = hub.repo('nebula-test/tiny-llm')!;
    const info = (await (
      await fetch(`${hub.url}/api/models/nebula-test/tiny-llm/revision/main?blobs=true`)
    ).json()) as {
      sha: string;
      siblings: { rfilename: string; size: number; lfs?: { sha256: string } }[];
      usedStorage: number;
    };
    expect(info.sha).toBe(repo.commit);
    const st = info.siblings.find((s) => s.rfilename === 'model.safetensors')!;
    expect(st.lfs?.sha256).toBe(repo.files.find((f) => f.path === 'model.safetensors')!.digests().sha256);
    const tree = (await (
      await fetch(`${hub.url}/api/models/nebula-test/tiny-llm/tree/main?recursive=true`)
    ).json()) as { type: string; path: string }[];
    expect(tree.filter((e) => e.type === 'file').map((e) => e.path)).toContain('onnx/README.txt');
    expect(tree.some((e) => e.type === 'directory' && e.path === 'onnx')).toBe(true);

    const r = await fetch(`${hub.url}/nebula-test/tiny-llm/resolve/main/model.safetensors`, {
      redirect: 'manual',
    });
    expect(r.status).toBe(302);
    expect(r.headers.get('x-linked-etag')).toBe(`"${st.lfs?.sha256}"`);
    const body = Buffer.from(await (await fetch(r.headers.get('location')!)).arrayBuffer());
    expect(sha256(body)).toBe(st.lfs?.sha256);
    expect(body.equals(readAll(repo.files.find((f) => f.path === 'model.safetensors')!.source))).toBe(true);

    const part = await fetch(`${hub.url}/nebula-test/tiny-llm/resolve/main/tokenizer.json`, {
      headers: { range: 'bytes=100-' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-49168/49169');
  });

  it('serves the tiny GGUF repository: found by search, LFS sha256 and sizes in the tree, Range on the files', async () => {
    const found = (await (await fetch(`${hub.url}/api/models?search=gguf&filter=gguf`)).json()) as {
      id: string;
      library_name: string;
    }[];
    expect(found.map((m) => m.id)).toContain(TINY_GGUF_REPO);
    const repo = hub.repo(TINY_GGUF_REPO)!;
    const tree = (await (
      await fetch(`${hub.url}/api/models/${TINY_GGUF_REPO}/tree/main?recursive=true`)
    ).json()) as { type: string; path: string; size: number; lfs?: { oid: string; size: number } }[];
    const ggufs = tree.filter((e) => e.path.endsWith('.gguf'));
    expect(ggufs.map((e) => e.path).sort()).toEqual([
      'tiny-llama-BF16-00001-of-00002.gguf',
      'tiny-llama-BF16-00002-of-00002.gguf',
      'tiny-llama-F16.gguf',
      'tiny-llama-Q8_0.gguf',
    ]);
    for (const e of ggufs) {
      const f = repo.files.find((x) => x.path === e.path)!;
      expect(e.size).toBe(f.size);
      expect(e.lfs).toEqual(expect.objectContaining({ oid: f.digests().sha256, size: f.size }));
    }
    const q8 = repo.files.find((f) => f.path === 'tiny-llama-Q8_0.gguf')!;
    const head = await fetch(`${hub.url}/${TINY_GGUF_REPO}/resolve/main/tiny-llama-Q8_0.gguf`, {
      headers: { range: 'bytes=0-7' },
    });
    expect(head.status).toBe(206);
    const magic = Buffer.from(await head.arrayBuffer());
    expect(magic.subarray(0, 4).toString('latin1')).toBe('GGUF');
    expect(magic.readUInt32LE(4)).toBe(3);
    expect(head.headers.get('content-range')).toBe(`bytes 0-7/${q8.size}`);
  });

  it('requires a token for gated repositories', async () => {
    const no = await fetch(`${hub.url}/nebula-test/gated-llm/resolve/main/config.json`);
    expect(no.status).toBe(401);
    expect(no.headers.get('x-error-code')).toBe('GatedRepo');
    const yes = await fetch(`${hub.url}/nebula-test/gated-llm/resolve/main/config.json`, {
      headers: { authorization: `Bearer ${FAKE_HF_TOKEN}` },
    });
    expect(yes.status).toBe(200);
  });
});

describe('fake hub: ModelScope', () => {
  it('searches like the console (Name, tasks criterion, TotalCount, paging)', async () => {
    const r = await fetch(`${hub.url}/api/v1/dolphin/models`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        Name: 'model',
        PageSize: 5,
        PageNumber: 2,
        SortBy: 'DownloadsCount',
        Criterion: [{ category: 'tasks', predicate: 'contains', values: ['feature-extraction'] }],
      }),
    });
    const body = (await r.json()) as {
      Code: number;
      Data: {
        Model: { Models: { Name: string; Path: string; Tasks: { Name: string }[] }[]; TotalCount: number };
      };
    };
    expect(body.Code).toBe(200);
    expect(body.Data.Model.TotalCount).toBe(12);
    expect(body.Data.Model.Models).toHaveLength(5);
    for (const m of body.Data.Model.Models) expect(m.Tasks[0]?.Name).toBe('feature-extraction');
  });

  it('lists files with sha256 and serves them with Range', async () => {
    const r = await fetch(
      `${hub.url}/api/v1/models/nebula-test/tiny-llm/repo/files?Revision=master&Recursive=True`,
    );
    const files = (
      (await r.json()) as { Data: { Files: { Path: string; Type: string; Size: number; Sha256: string }[] } }
    ).Data.Files;
    const tok = files.find((f) => f.Path === 'tokenizer.json')!;
    const full = Buffer.from(
      await (
        await fetch(
          `${hub.url}/api/v1/models/nebula-test/tiny-llm/repo?Revision=master&FilePath=tokenizer.json`,
        )
      ).arrayBuffer(),
    );
    expect(full.length).toBe(tok.Size);
    expect(sha256(full)).toBe(tok.Sha256);
    const tail = await fetch(
      `${hub.url}/api/v1/models/nebula-test/tiny-llm/repo?Revision=master&FilePath=tokenizer.json`,
      { headers: { range: 'bytes=49000-' } },
    );
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(full.subarray(49000))).toBe(true);
    const missing = await fetch(`${hub.url}/api/v1/models/nope/nope`);
    expect(missing.status).toBe(404);
  });
});

describe('fake hub: failure injection', () => {
  it('drops, fails, corrupts and logs', async () => {
    const path = '/api/v1/models/nebula-test/tiny-llm/repo?Revision=master&FilePath=tokenizer.json';
    hub.setFailure([
      { kind: 'status', status: 500, times: 1, match: 'FilePath=tokenizer.json' },
      { kind: 'drop', afterBytes: 1000, times: 1, match: 'FilePath=tokenizer.json' },
      { kind: 'corrupt', times: 1, match: 'FilePath=tokenizer.json' },
    ]);
    hub.clearRequests();
    expect((await fetch(hub.url + path)).status).toBe(500);
    await expect(fetch(hub.url + path).then((r) => r.arrayBuffer())).rejects.toThrow();
    const bad = Buffer.from(await (await fetch(hub.url + path)).arrayBuffer());
    const good = Buffer.from(await (await fetch(hub.url + path)).arrayBuffer());
    expect(bad.length).toBe(good.length);
    expect(bad.equals(good)).toBe(false);
    expect(hub.requests.map((r) => r.status)).toEqual([500, 200, 200, 200]);
    expect(hub.requests[1]?.bytes).toBe(1000);
    hub.setFailure(null);
  });
});
