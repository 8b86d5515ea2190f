import { Table, Text, type TableProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatRelative } from '../lib/format.ts';

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

/** A cell with a time as "5 minutes ago", dimmed (the tables' updated / last used columns). */
export function AgoCell({ time }: { time: string | null | undefined }) {
  return (
    <Table.Td>
      <Text size="sm" c="dimmed">
        {formatRelative(time)}
      </Text>
    </Table.Td>
  );
}
