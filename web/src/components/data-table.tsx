import { Table, type TableProps } from '@mantine/core';
import type { ReactNode } from 'react';

/** One header cell: a label, or a label with width/alignment; `null`/`false` leave the column out. */
export type Column = ReactNode | { label?: ReactNode; w?: number; ta?: 'right' } | null | false;

function isSpec(c: Column): c is { label?: ReactNode; w?: number; ta?: 'right' } {
  return typeof c === 'object' && c !== null && !('$$typeof' in c) && !Array.isArray(c);
}

/**
 * The console's tables: a header row from `columns`, the rows as children, and a horizontal scroll
 * container when `minWidth` is given (wide tables on narrow screens).
 */
export function DataTable({
  columns,
  children,
  minWidth,
  testId,
  ...props
}: {
  columns: Column[];
  children: ReactNode;
  minWidth?: number;
  testId?: string;
} & Omit<TableProps, 'children'>) {
  const table = (
    <Table {...props} {...(testId ? { 'data-testid': testId } : {})}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((c, i) => {
            if (c === null || c === false) return null;
            if (isSpec(c))
              return (
                <Table.Th key={i} {...(c.w !== undefined ? { w: c.w } : {})} {...(c.ta ? { ta: c.ta } : {})}>
                  {c.label}
                </Table.Th>
              );
            return <Table.Th key={i}>{c}</Table.Th>;
          })}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>{children}</Table.Tbody>
    </Table>
  );
  return minWidth ? <Table.ScrollContainer minWidth={minWidth}>{table}</Table.ScrollContainer> : table;
}
