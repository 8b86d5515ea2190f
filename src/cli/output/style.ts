/**
 * Terminal styling: colours only when a person reads the stream (TTY) and NO_COLOR is not set
 * (https://no-color.org). Everything else gets plain text, so pipes and CI logs stay clean.
 */
import type { CliOutput } from '../io.js';

export interface Style {
  /** True when colours may be used. */
  readonly color: boolean;
  /** True when progress may redraw one line in place (TTY, no NO_COLOR). */
  readonly interactive: boolean;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

function wrap(open: number, close: number, on: boolean): (s: string) => string {
  return on ? (s) => `\u001b[${open}m${s}\u001b[${close}m` : (s) => s;
}

/** The style of a stream given the environment. */
export function styleFor(out: CliOutput, env: Record<string, string | undefined>): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const tty = out.isTTY === true && env.TERM !== 'dumb';
  const color = tty && !noColor;
  return {
    color,
    interactive: color,
    green: wrap(32, 39, color),
    red: wrap(31, 39, color),
    yellow: wrap(33, 39, color),
    cyan: wrap(36, 39, color),
    dim: wrap(2, 22, color),
    bold: wrap(1, 22, color),
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Width of a string as displayed (escape sequences take no room). */
export function visibleWidth(s: string): number {
  return s.replace(ANSI, '').length;
}

/** Colours an aggregated model / endpoint / node state by how good it is. */
export function colorState(style: Style, state: string): string {
  switch (state) {
    case 'running':
    case 'ready':
    case 'healthy':
    case 'Running':
    case 'success':
      return style.green(state);
    case 'failed':
    case 'Failed':
    case 'critical':
    case 'error':
    case 'unhealthy':
    case 'failure':
      return style.red(state);
    case 'degraded':
    case 'updating':
    case 'downloading':
    case 'starting':
    case 'stopping':
    case 'warning':
    case 'Pending':
    case 'Scheduled':
    case 'cordoned':
    case 'draining':
      return style.yellow(state);
    default:
      return state;
  }
}
