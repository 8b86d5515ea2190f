/**
 * The one parser of server-sent events (the WHATWG `text/event-stream` format), shared by the CLI, the
 * typed client, the router's gRPC face and the web console (which imports this file by path, so it must
 * stay free of imports and of Node-only APIs).
 *
 * Incremental: feed it bytes or text as they arrive, split anywhere (inside a line, a CRLF pair or a
 * UTF-8 sequence), and it returns the events each chunk completed. Follows the spec's field rules:
 * `data` lines join with "\n", `event` names the event (default "message"), `id` sets the last event id
 * (kept across events; ignored when it contains NUL), `retry` sets {@link SseParser.retry} (digits only),
 * lines starting with ":" are comments, unknown fields are ignored, line ends are CRLF, LF or CR, and a
 * leading byte-order mark is dropped. One deliberate leniency: {@link SseParser.end} still delivers a
 * last event whose closing blank line never came (servers that end with `data: [DONE]` and no newline).
 */

/** One server-sent event. `id` is the last event id in force, absent while it is empty. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Incremental `text/event-stream` parser; one instance per stream. */
export class SseParser {
  /** The reconnection time (ms) the stream last asked for with `retry:`, if any. */
  retry: number | undefined;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private buffer = '';
  private data: string[] = [];
  private eventType = '';
  private lastEventId = '';
  private started = false;
  /** The previous chunk ended in CR: a LF opening the next one completes that CRLF, not a new line. */
  private skipLf = false;

  /** Parses `chunk` (bytes are decoded as UTF-8; feed one kind per stream) and returns the events it completed. */
  push(chunk: string | Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    this.take(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }), out);
    return out;
  }

  /** Ends the stream: flushes a partial UTF-8 sequence, a last line and a last event without its blank line. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.take(this.decoder.decode(), out);
    if (this.buffer !== '') this.line(this.buffer, out);
    this.buffer = '';
    this.dispatch(out);
    return out;
  }

  private take(chunk: string, out: SseEvent[]): void {
    let text = chunk;
    if (text === '') return;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.skipLf && text !== '') {
      this.skipLf = false;
      if (text.charCodeAt(0) === 0x0a) text = text.slice(1);
    }
    const buf = this.buffer + text;
    const lineEnd = /\r\n?|\n/g;
    let start = 0;
    for (let m = lineEnd.exec(buf); m !== null; m = lineEnd.exec(buf)) {
      this.line(buf.slice(start, m.index), out);
      start = m.index + m[0].length;
      if (start === buf.length && m[0] === '\r') this.skipLf = true;
    }
    this.buffer = buf.slice(start);
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') return this.dispatch(out);
    if (line.charCodeAt(0) === 0x3a) return; // ":" starts a comment (keep-alives)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored, as the spec says
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data.length > 0) {
      const ev: SseEvent = { event: this.eventType || 'message', data: this.data.join('\n') };
      if (this.lastEventId !== '') ev.id = this.lastEventId;
      out.push(ev);
    }
    this.data = [];
    this.eventType = '';
  }
}

/**
 * Reads a `text/event-stream` body to its end, yielding each event. Stopping the iteration (break,
 * throw) or aborting `signal` cancels the body; after an abort the events already received still
 * come out and the iteration ends normally.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const parser = new SseParser();
  const abort = (): void => void reader.cancel().catch(() => undefined);
  if (signal?.aborted) abort();
  else signal?.addEventListener('abort', abort, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(value);
    }
    yield* parser.end();
  } finally {
    signal?.removeEventListener('abort', abort);
    await reader.cancel().catch(() => undefined);
  }
}
