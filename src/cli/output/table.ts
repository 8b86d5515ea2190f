/**
 * Plain-text tables in the kubectl style: upper-case headers, columns two spaces apart, no borders and no
 * trailing spaces, so the output reads well and still splits on whitespace in scripts.
 */
import { visibleWidth } from './style.js';

export interface Column<T> {
  header: string;
  /** The cell text; undefined/null/'' show as `-`. */
  value: (row: T) => string | number | undefined | null;
  align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis. */
  maxWidth?: number;
  /** Decorates the (already padded-to-measure) cell text, e.g. colours; must not change its width. */
  decorate?: (text: string, row: T) => string;
}

/** Cuts `text` to `max` characters, ending with '…' when cut. */
export function truncate(text: string, max: number): string {
  if (max < 1 || text.length <= max) return text;
  if (max === 1) return '…';
  return `${text.slice(0, max - 1)}…`;
}

function cellText<T>(col: Column<T>, row: T): string {
  const raw = col.value(row);
  const text = raw === undefined || raw === null || raw === '' ? '-' : String(raw).replace(/[\r\n\t]+/g, ' ');
  return col.maxWidth === undefined ? text : truncate(text, col.maxWidth);
}

/** Renders rows under headers; returns the whole table ending with a newline ('' for no columns). */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  if (columns.length === 0) return '';
  const cells = rows.map((row) => columns.map((col) => cellText(col, row)));
  const widths = columns.map((col, i) =>
    Math.max(visibleWidth(col.header), ...cells.map((r) => visibleWidth(r[i] ?? ''))),
  );
  const lines: string[] = [];
  const pad = (text: string, i: number, align: 'left' | 'right' | undefined): string => {
    const gap = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleWidth(text)));
    return align === 'right' ? gap + text : text + gap;
  };
  lines.push(
    columns
      .map((col, i) => pad(col.header, i, col.align))
      .join('  ')
      .trimEnd(),
  );
  rows.forEach((row, r) => {
    const line = columns.map((col, i) => {
      const text = cells[r]?.[i] ?? '';
      const decorated = col.decorate ? col.decorate(text, row) : text;
      return pad(decorated, i, col.align);
    });
    lines.push(line.join('  ').trimEnd());
  });
  return `${lines.join('\n')}\n`;
}

/** A two-column `Key: value` block for `get` commands (keys aligned). */
export function renderFields(
  fields: ReadonlyArray<readonly [string, string | number | undefined | null]>,
): string {
  const width = Math.max(0, ...fields.map(([k]) => k.length + 1));
  return fields
    .map(([k, v]) => {
      const value = v === undefined || v === null || v === '' ? '-' : String(v);
      return `${`${k}:`.padEnd(width)}  ${value}`.trimEnd();
    })
    .map((l) => `${l}\n`)
    .join('');
}
