import { readSse as readSseBody, type SseEvent } from '../../../src/core/sse.ts';

export type { SseEvent } from '../../../src/core/sse.ts';

/**
 * Reads an SSE response body to its end (or until aborted), calling `onEvent` for each event. The
 * parser is the project's one (src/core/sse.ts), imported by path like the wire types in ./types.ts.
 */
export async function readSse(
  res: Response,
  onEvent: (ev: SseEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (!res.body) return;
  for await (const ev of readSseBody(res.body, signal)) onEvent(ev);
}
