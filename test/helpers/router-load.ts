/**
 * Steady client load through a router for the planned-change suites and benchmarks: chat requests to one
 * model, alternately streamed, counted as ok or failed (any non-200, or a stream without [DONE]).
 */

/** What a load run saw: requests that succeeded, failed, and the first few failures' reasons. */
export interface Tally {
  ok: number;
  failed: number;
  errors: string[];
}

/** One request (streaming or not) through the router; a failure is any non-200 or a stream without [DONE]. */
export async function chatOnce(url: string, model: string, stream: boolean): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 8,
        stream,
      }),
    });
    const text = await res.text();
    if (res.status !== 200) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
    if (stream && !text.includes('[DONE]')) return `stream cut: ${text.slice(-200)}`;
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** `workers` clients sending requests back to back (streamed and not, alternating) until stopped. */
export function startLoad(url: string, model: string, workers: number): { stop: () => Promise<Tally> } {
  const tally: Tally = { ok: 0, failed: 0, errors: [] };
  let running = true;
  const loops = Array.from({ length: workers }, async (_, i) => {
    for (let n = 0; running; n++) {
      const err = await chatOnce(url, model, (i + n) % 2 === 0);
      if (err === undefined) tally.ok += 1;
      else {
        tally.failed += 1;
        if (tally.errors.length < 10) tally.errors.push(err);
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}
