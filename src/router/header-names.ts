/**
 * A fixed set of header names, matched case-insensitively and by length first: a name of any other length
 * (most headers) is never copied or lower-cased. Used on the hot path for the request headers the proxy
 * reads and the upstream response headers the parser keeps.
 */
export class HeaderNames {
  /** At each length, the names of that length (lower case) and their ids, at the same positions. */
  private readonly names: string[][] = [];
  private readonly ids: number[][] = [];

  /** `names` in lower case; the id of `names[i]` is `i + 1`. */
  constructor(names: readonly string[]) {
    const longest = Math.max(...names.map((n) => n.length));
    for (let l = 0; l <= longest; l++) {
      this.names.push([]);
      this.ids.push([]);
    }
    names.forEach((name, i) => {
      this.names[name.length]!.push(name);
      this.ids[name.length]!.push(i + 1);
    });
  }

  /** The id of the name in `text` from `start` to `end` (any case); 0 when it is none of these. */
  idOf(text: string, start = 0, end = text.length): number {
    const length = end - start;
    if (length >= this.names.length) return 0;
    const candidates = this.names[length]!;
    if (candidates.length === 0) return 0;
    const name = (start === 0 && end === text.length ? text : text.slice(start, end)).toLowerCase();
    for (let k = 0; k < candidates.length; k++) if (candidates[k] === name) return this.ids[length]![k]!;
    return 0;
  }
}
