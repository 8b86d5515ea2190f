/**
 * Incremental parser for server-sent events (the WHATWG event-stream format): feed it text as it
 * arrives, get whole events back. Handles CRLF / LF / CR line ends, multi-line `data:`, comments, and
 * events split across chunks at any byte.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private eventName = '';
  private id: string | undefined;
  private sawCr = false;

  /** Parses `chunk` and returns the events it completed. */
  feed(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    let text = chunk;
    // A CR at the end of the previous chunk may be half of a CRLF: drop the LF that completes it.
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = false;
    this.buffer += text;
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer);
      if (!m) break;
      // A lone CR at the very end could still become CRLF; we treat it as a line end now and remember it.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) this.sawCr = true;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const ev = this.line(line);
      if (ev) events.push(ev);
    }
    return events;
  }

  /** Ends the stream: a last event without its blank line is still delivered. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.buffer !== '') {
      const ev = this.line(this.buffer);
      this.buffer = '';
      if (ev) events.push(ev);
    }
    const ev = this.line('');
    if (ev) events.push(ev);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) {
        this.eventName = '';
        return undefined;
      }
      const ev: SseEvent = { event: this.eventName || 'message', data: this.data.join('\n') };
      if (this.id !== undefined) ev.id = this.id;
      this.data = [];
      this.eventName = '';
      return ev;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventName = value;
    else if (field === 'id') this.id = value;
    return undefined;
  }
}
