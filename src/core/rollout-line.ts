/**
 * The one wording of a rollout's progress (`updating 1/2 on r3`), shared by the CLI (`model get`,
 * `model rollout pause`, `--wait`) and the web console's revisions panel. The console imports this file
 * by path (like src/core/sse.ts), so it must stay free of imports and of Node-only APIs.
 */

/** The fields of a rollout status (src/core/domain/revision.ts `RolloutStatus`) the line reads. */
export interface RolloutLineInput {
  phase: 'progressing' | 'paused' | 'complete' | 'rolled_back' | 'failed';
  to_revision: number;
  updated_ready: number;
  wanted: number;
  reason?: string | undefined;
}

/**
 * How an ended rollout's reason follows the line: the CLI puts it in parentheses
 * (`rolled back from r3 (crashed)`), the console after a colon (`rolled back from r3: crashed`).
 */
export type RolloutReasonStyle = 'parens' | 'colon';

/** `updating 1/2 on r3`, `paused at …`, `complete …`, `rolled back from r3 …`, `rollout to r3 failed …` (pure). */
export function rolloutLine(r: RolloutLineInput, reasonStyle: RolloutReasonStyle = 'parens'): string {
  const at = `${r.updated_ready}/${r.wanted} on r${r.to_revision}`;
  const why = !r.reason ? '' : reasonStyle === 'parens' ? ` (${r.reason})` : `: ${r.reason}`;
  switch (r.phase) {
    case 'progressing':
      return `updating ${at}`;
    case 'paused':
      return `paused at ${at}`;
    case 'complete':
      return `complete ${at}`;
    case 'rolled_back':
      return `rolled back from r${r.to_revision}${why}`;
    case 'failed':
      return `rollout to r${r.to_revision} failed${why}`;
  }
}
