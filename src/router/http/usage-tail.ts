/** Keeps the last few KiB of a response (by reference, no copies) to read its token usage at the end. */
export class UsageTail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly keep = 8192) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.chunks.length > 1 && this.bytes - (this.chunks[0]?.length ?? 0) >= this.keep) {
      this.bytes -= this.chunks.shift()?.length ?? 0;
    }
  }

  /**
   * Token usage from the last `"usage"` object in what was kept (final SSE chunk or JSON body). `within`
   * limits the search to the last bytes (a stream whose client did not ask for usage can only carry it in
   * its final event, when the engine adds it on its own).
   */
  usage(within = Infinity): { prompt: number; completion: number } | undefined {
    if (this.bytes === 0) return undefined;
    const buf = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    // Found in the bytes, so only the usage object itself is decoded (a large JSON body is not).
    const from = Math.max(0, buf.length - within);
    const found = (from === 0 ? buf : buf.subarray(from)).lastIndexOf(USAGE_KEY);
    if (found === -1) return undefined;
    const at = from + found;
    return parseUsage(buf.toString('utf8', at, Math.min(buf.length, at + 512)));
  }
}

const USAGE_KEY = Buffer.from('"usage"');
const PROMPT = /"prompt_tokens"\s*:\s*(\d+)/;
const COMPLETION = /"completion_tokens"\s*:\s*(\d+)/;

/** Pure: prompt and completion tokens of the last usage object in `text`, if it is not null. */
export function parseUsage(text: string): { prompt: number; completion: number } | undefined {
  const at = text.lastIndexOf('"usage"');
  if (at === -1) return undefined;
  let i = at + 7;
  while (i < text.length && (text[i] === ' ' || text[i] === ':' || text[i] === '\n' || text[i] === '\t')) i++;
  if (text[i] !== '{') return undefined;
  const end = text.indexOf('}', i);
  const obj = text.slice(i, end === -1 ? text.length : end + 1);
  const p = PROMPT.exec(obj);
  const c = COMPLETION.exec(obj);
  if (p === null && c === null) return undefined;
  return { prompt: p ? Number(p[1]) : 0, completion: c ? Number(c[1]) : 0 };
}
