import { Card, Group } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { QueryBoundary } from './query-boundary.tsx';

/**
 * A list page's body: a card with optional filters on top, then the query's loading and error faces,
 * `empty` when no item is left after `select`, or the items rendered by `children`.
 */
export function ListCard<T, I>({
  query,
  select,
  filters,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  /** The items to show, filtered and sorted. */
  select: (data: T) => I[];
  filters?: ReactNode;
  empty: ReactNode;
  children: (items: I[]) => ReactNode;
}) {
  return (
    <Card withBorder radius="md" padding="md">
      {filters ? <Group mb="md">{filters}</Group> : null}
      <QueryBoundary query={query}>
        {(data) => {
          const items = select(data);
          return items.length === 0 ? empty : children(items);
        }}
      </QueryBoundary>
    </Card>
  );
}
