import { describe, expect, it } from 'vitest';
import { styleFor } from './style.js';
import { renderFields, renderTable, truncate, type Column } from './table.js';

interface Row {
  name: string;
  state: string;
  n?: number;
}

const cols: Column<Row>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'STATE', value: (r) => r.state },
  { header: 'N', value: (r) => r.n, align: 'right' },
];

describe('renderTable', () => {
  it('aligns columns two spaces apart without trailing spaces', () => {
    const out = renderTable(cols, [
      { name: 'a', state: 'running', n: 1 },
      { name: 'long-name', state: 'failed', n: 100 },
      { name: 'x', state: '' },
    ]);
    expect(out).toBe(
      [
        'NAME       STATE      N',
        'a          running    1',
        'long-name  failed   100',
        'x          -          -',
        '',
      ].join('\n'),
    );
    for (const line of out.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('prints only headers for no rows, nothing for no columns', () => {
    expect(renderTable(cols, [])).toBe('NAME  STATE  N\n');
    expect(renderTable([], [{ name: 'a', state: 'b' }])).toBe('');
  });

  it('truncates long cells and flattens newlines', () => {
    const out = renderTable<Row>(
      [{ header: 'NAME', value: (r) => r.name, maxWidth: 6 }, cols[1] as Column<Row>],
      [{ name: 'abcdefghij', state: 'two\nlines' }],
    );
    expect(out).toBe('NAME    STATE\nabcde…  two lines\n');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcd', 1)).toBe('…');
  });

  it('measures coloured cells by their visible width', () => {
    const style = styleFor({ write: () => true, isTTY: true }, {});
    const out = renderTable<Row>(
      [
        { header: 'STATE', value: (r) => r.state, decorate: (t) => style.green(t) },
        { header: 'NAME', value: (r) => r.name },
      ],
      [
        { name: 'a', state: 'ok' },
        { name: 'b', state: 'running' },
      ],
    );
    // eslint-disable-next-line no-control-regex
    expect(out.replace(/\u001b\[[0-9;]*m/g, '')).toBe('STATE    NAME\nok       a\nrunning  b\n');
    expect(out).toContain('\u001b[32mok\u001b[39m');
  });
});

describe('styleFor', () => {
  it('colours only on a TTY without NO_COLOR', () => {
    expect(styleFor({ write: () => true, isTTY: true }, {}).color).toBe(true);
    expect(styleFor({ write: () => true, isTTY: true }, { NO_COLOR: '1' }).color).toBe(false);
    expect(styleFor({ write: () => true, isTTY: false }, {}).color).toBe(false);
    expect(styleFor({ write: () => true, isTTY: true }, { TERM: 'dumb' }).interactive).toBe(false);
    expect(styleFor({ write: () => true }, {}).red('x')).toBe('x');
  });
});

describe('renderFields', () => {
  it('aligns keys and shows - for empty values', () => {
    expect(
      renderFields([
        ['UID', 'qwen'],
        ['State', 'running'],
        ['Reason', null],
      ]),
    ).toBe('UID:     qwen\nState:   running\nReason:  -\n');
  });
});
