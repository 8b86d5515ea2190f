import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorState } from './error-state.tsx';
import { TableSkeleton } from './skeletons.tsx';

/**
 * Renders a query's three faces: skeleton while the first load runs, the server's error with a retry, or
 * the data. A failed background refresh keeps showing the last data.
 */
export function QueryBoundary<T>({
  query,
  children,
  loading,
  errorTitle,
}: {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
  loading?: ReactNode;
  errorTitle?: string;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.isError)
    return (
      <ErrorState
        error={query.error}
        onRetry={() => void query.refetch()}
        {...(errorTitle ? { title: errorTitle } : {})}
      />
    );
  return <>{loading ?? <TableSkeleton />}</>;
}
