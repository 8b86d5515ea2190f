/**
 * Incremental Server-Sent Events parser: feed it chunks as they arrive, get each event's `data` (multi-line
 * data joined with '\n'). Comments and other fields are ignored.
 */
export class SseParser {
  private buf = '';

  constructor(private readonly onData: (data: string) => void) {}

  push(chunk: Buffer | string): void {
    this.buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (;;) {
      const m = /\r\n\r\n|\n\n|\r\r/.exec(this.buf);
      if (m === null) break;
      const block = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.event(block);
    }
  }

  /** Flushes a last event not followed by a blank line. */
  end(): void {
    if (this.buf.trim() !== '') this.event(this.buf);
    this.buf = '';
  }

  private event(block: string): void {
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
    }
    if (data.length > 0) this.onData(data.join('\n'));
  }
}
