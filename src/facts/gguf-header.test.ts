import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, hubPolicies } from '../hub/index.js';
import { factsFromGgufMetadata, GgufHeaderError, readGgufFacts } from './gguf-header.js';
import { readModelFacts, type FactsReaderDeps, type FactsTarget } from './reader.js';
import { ggufMetadata, LLAMA31_8B_Q4KM, type GgufValue } from '../../test/fixtures/gguf/llama31-8b.js';

/** Writes a GGUF v3 file: header with `kv`, no tensors, `pad` bytes of "weights" after it. */
function writeGguf(kv: Record<string, GgufValue>, pad = 0): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  const u64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(n);
    parts.push(b);
  };
  const str = (s: string) => {
    u64(BigInt(Buffer.byteLength(s)));
    parts.push(Buffer.from(s));
  };
  parts.push(Buffer.from('GGUF'));
  u32(3);
  u64(0n);
  u64(BigInt(Object.keys(kv).length));
  for (const [k, v] of Object.entries(kv)) {
    str(k);
    if ('u32' in v) {
      u32(4);
      u32(v.u32);
    } else if ('u64' in v) {
      u32(10);
      u64(v.u64);
    } else if ('f32' in v) {
      u32(6);
      const b = Buffer.alloc(4);
      b.writeFloatLE(v.f32);
      parts.push(b);
    } else if ('str' in v) {
      u32(8);
      str(v.str);
    } else {
      u32(9);
      u32(8);
      u64(BigInt(v.strs.length));
      for (const s of v.strs) str(s);
    }
  }
  const head = Buffer.concat(parts);
  const aligned = Math.ceil(head.length / 32) * 32;
  return Buffer.concat([head, Buffer.alloc(aligned - head.length + pad)]);
}

/** A fake hub: `/org/repo/resolve/main/<file>` redirects to `/cdn/<file>` on localhost, which honours Range. */
async function fakeHub(
  files: Record<string, Buffer>,
  ignoreRange = false,
): Promise<{ url: string; ranges: string[]; close(): Promise<void> }> {
  const ranges: string[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const resolve = /^\/org\/repo\/resolve\/main\/(.+)$/.exec(u.pathname);
    if (resolve) {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(302, { location: `http://localhost:${port}/cdn/${resolve[1]}` }).end();
      return;
    }
    const cdn = /^\/cdn\/(.+)$/.exec(u.pathname);
    const body = cdn ? files[decodeURIComponent(cdn[1]!)] : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const m = ignoreRange ? null : /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    ranges.push(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { 'content-length': body.length }).end(body);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), body.length - 1);
    res
      .writeHead(206, {
        'content-range': `bytes ${start}-${end}/${body.length}`,
        'content-length': end - start + 1,
      })
      .end(body.subarray(start, end + 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    ranges,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('GGUF header facts', () => {
  it('maps the published Llama-3.1-8B Q4_K_M header', () => {
    const f = factsFromGgufMetadata(ggufMetadata(LLAMA31_8B_Q4KM));
    expect(f).toMatchObject({
      architecture: 'llama',
      num_layers: 32,
      max_context: 131072,
      hidden_size: 4096,
      num_attention_heads: 32,
      num_kv_heads: 8,
      gguf_file_type: 'Q4_K_M',
      vocab_size: 128256,
    });
  });

  it('refuses a file that is not GGUF, and a header past the byte budget', async () => {
    const junk = Buffer.from('PK\u0003\u0004 definitely not gguf'.padEnd(4096, 'x'));
    const read = async (s: number, e: number) => ({ bytes: junk.subarray(s, e + 1), total: junk.length });
    await expect(readGgufFacts(read)).rejects.toBeInstanceOf(GgufHeaderError);
    const huge = writeGguf({
      'general.architecture': { str: 'llama' },
      'tokenizer.ggml.tokens': { strs: Array.from({ length: 300_000 }, (_, i) => `token-${i}-padding`) },
    });
    const readHuge = async (s: number, e: number) => ({ bytes: huge.subarray(s, e + 1), total: huge.length });
    await expect(readGgufFacts(readHuge, 3_000_000)).rejects.toThrow(/larger than 3000000 bytes/);
  });
});

describe('reading a GGUF repository over Range through the hub client', () => {
  const file = writeGguf(LLAMA31_8B_Q4KM, 100_000);
  let hub: Awaited<ReturnType<typeof fakeHub>>;
  let client: HubClient;
  beforeAll(async () => {
    hub = await fakeHub({
      'Llama-3.1-8B-Instruct-Q4_K_M.gguf': file,
      'Llama-3.1-8B-Instruct-Q8_0.gguf': file,
    });
    client = hubClient(hub.url, ['localhost']);
  });
  afterAll(() => hub.close());

  const listing = [
    { path: 'Llama-3.1-8B-Instruct-Q4_K_M.gguf', size: 4_920_734_336 },
    { path: 'Llama-3.1-8B-Instruct-Q8_0.gguf', size: 8_540_770_880 },
    { path: 'README.md', size: 1000 },
  ];

  /** A Hugging Face client of the hub at `url` that follows redirects to `redirectHosts` too. */
  const hubClient = (url: string, redirectHosts: string[] = []) =>
    new HubClient({
      policy: hubPolicies({ hfEndpoint: url, modelscopeEndpoint: url, extraRedirectHosts: redirectHosts })
        .huggingface,
    });

  /** The llama.cpp spec of org/repo at main; its Q4_K_M variant unless `file` says otherwise. */
  const target = (t: Partial<FactsTarget> = {}): FactsTarget => ({
    model_name: 'org/repo',
    model_source: 'huggingface',
    revision: 'main',
    engine_type: 'llamacpp',
    file: 'Q4_K_M',
    ...t,
  });

  /** Reads the facts of `t` through `c` (as both hubs), the repository's files from `listFiles`. */
  const readThrough = (
    c: HubClient,
    t: FactsTarget,
    listFiles: FactsReaderDeps['listFiles'] = async () => listing,
  ) => readModelFacts(t, { hubs: { huggingface: c, modelscope: c }, listFiles, now: () => 0 });

  it('reads the chosen variant header with ranged reads and sizes the weights from the file list', async () => {
    const r = await readThrough(client, target());
    expect(r.reason).toBeUndefined();
    expect(r.facts).toMatchObject({
      format: 'gguf',
      weights_bytes: 4_920_734_336,
      weights_from: 'hub-file-list',
      geometry_from: 'gguf-header',
      architecture: 'llama',
      num_layers: 32,
      num_kv_heads: 8,
      hidden_size: 4096,
      max_context: 131072,
      gguf_file_type: 'Q4_K_M',
      read_for: { model_name: 'org/repo', revision: 'main', file: 'Q4_K_M' },
    });
    // Only ranges were asked for, never the whole file.
    expect(hub.ranges.length).toBeGreaterThan(0);
    expect(hub.ranges.every((r) => /^bytes=\d+-\d+$/.test(r))).toBe(true);
  });

  it('without a choice among several variants: the default rule picks the variant the node would load', async () => {
    const r = await readThrough(client, target({ file: undefined }));
    // Q4_K_M comes first in the documented default rule (src/core/gguf-variants.ts).
    expect(r.facts?.weights_bytes).toBe(4_920_734_336);
  });

  it('a redirect off the allowlist is refused: no facts, the reason says why', async () => {
    const r = await readThrough(hubClient(hub.url), target());
    // The sizes come from the listing; the header could not be read (localhost is not allowlisted here).
    expect(r.facts?.weights_bytes).toBe(4_920_734_336);
    expect(r.facts?.num_layers).toBeUndefined();
    expect(r.reason).toMatch(/not an allowlisted hub host|non-https/);
  });

  it('a hub that does not answer gives no facts and a reason', async () => {
    const r = await readThrough(client, target({ engine_type: 'vllm', file: undefined }), async () => {
      throw new Error('hub 127.0.0.1:9 did not answer');
    });
    expect(r.facts).toBeUndefined();
    expect(r.reason).toMatch(/did not answer/);
  });

  it('a hub that ignores Range (200 with the whole file) still works: the client keeps only the range', async () => {
    const plain = await fakeHub(
      { 'Llama-3.1-8B-Instruct-Q4_K_M.gguf': writeGguf(LLAMA31_8B_Q4KM, 3_000_000) },
      true,
    );
    try {
      const r = await readThrough(hubClient(plain.url, ['localhost']), target());
      expect(r.facts).toMatchObject({ num_layers: 32, num_kv_heads: 8, gguf_file_type: 'Q4_K_M' });
    } finally {
      await plain.close();
    }
  });
});
