/** One Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Parses a Server-Sent Events stream into events (multi-line `data:` joined with "\n", comments and
 * retry lines ignored). Ends when the stream ends; cancelling the iteration cancels the stream.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let event = 'message';
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.search(/\r?\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(buf[nl] === '\r' ? nl + 2 : nl + 1);
        if (line === '') {
          if (data.length > 0)
            yield id === undefined ? { event, data: data.join('\n') } : { event, data: data.join('\n'), id };
          event = 'message';
          data = [];
          id = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(val);
        else if (field === 'event') event = val;
        else if (field === 'id') id = val;
      }
    }
    if (data.length > 0)
      yield id === undefined ? { event, data: data.join('\n') } : { event, data: data.join('\n'), id };
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
