import type { FlagSpec } from '../contract.js';

/** Splits on spaces outside <...>, [...] and {...} (value hints like `<tensor name pattern>=<buffer type>`). */
function tokens(header: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of header) {
    if (ch === '<' || ch === '[' || ch === '{') depth++;
    if ((ch === '>' || ch === ']' || ch === '}') && depth > 0) depth--;
    if (ch === ' ' && depth === 0) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * The flags in `llama-server --help` output (llama.cpp common/arg.cpp `common_arg::to_string`): an option
 * starts at column 0 with its spellings separated by ", " (abbreviation first, then `--no-` forms), then
 * one or two value hints; its help text sits at column 40 (on the next line when the spellings are
 * longer), ending with `(env: LLAMA_ARG_...)` where an environment variable sets the same option.
 */
export function parseLlamaServerHelp(text: string): FlagSpec[] {
  const out: FlagSpec[] = [];
  let current: { names: string[]; values: 0 | 1 | 2; help: string } | undefined;
  const flush = (): void => {
    if (!current) return;
    const env = /\(env:\s+([A-Z0-9_]+)\)/.exec(current.help)?.[1];
    out.push(
      env === undefined
        ? { names: current.names, values: current.values }
        : { names: current.names, values: current.values, env },
    );
    current = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('-----')) {
      flush();
      continue;
    }
    if (line.startsWith('-')) {
      flush();
      const header =
        line.length > 40 && line.slice(37, 40) === '   ' ? line.slice(0, 40).trimEnd() : line.trimEnd();
      const help = line.length > 40 && line.slice(37, 40) === '   ' ? line.slice(40) : '';
      const toks = tokens(header.replace(/,\s+/g, ', '));
      const names: string[] = [];
      let i = 0;
      for (; i < toks.length; i++) {
        const t = toks[i] ?? '';
        const name = t.endsWith(',') ? t.slice(0, -1) : t;
        if (!name.startsWith('-')) break;
        names.push(name);
        if (!t.endsWith(',')) {
          i++;
          break;
        }
      }
      const hints = toks.length - i;
      current = { names, values: hints >= 2 ? 2 : hints === 1 ? 1 : 0, help };
      continue;
    }
    if (current && line.startsWith(' ')) current.help += ` ${line.trim()}`;
    else flush();
  }
  flush();
  return out;
}

/** A flag table as `flagTable` reads it (one flag per line; `env=` names the variable). */
export function formatFlagTable(flags: readonly FlagSpec[]): string {
  return flags
    .map((f) => `  ${f.names.join(' ')}${f.env ? ` env=${f.env}` : ''} ${String(f.values)}`)
    .join('\n');
}
