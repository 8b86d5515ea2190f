import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Pagination,
  SegmentedControl,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { IconCloudOff, IconDownload, IconEye, IconHeart, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../api/errors.ts';
import type { CatalogItem, CatalogProvider } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { AgoCell, DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ErrorState } from '../../components/error-state.tsx';
import { RowAction } from '../../components/row-action.tsx';
import { TableSkeleton } from '../../components/skeletons.tsx';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { useDebounced } from '../../lib/use-debounced.ts';

/** Seed 004 §8: 20 results a page, one search per 300-500 ms pause in typing. */
export const PAGE_SIZE = 20;
export const SEARCH_DEBOUNCE_MS = 400;

/**
 * True when the search failure means "no catalog here" (hub unreachable, catalog not offered): the page
 * then works in downloaded-only mode instead of showing a broken search.
 */
export function isCatalogUnavailable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  return (
    err.code === 'HUB_UNAVAILABLE' ||
    err.status === 0 ||
    err.status === 502 ||
    err.status === 503 ||
    err.status === 504 ||
    (err.status === 404 && err.code === 'NOT_FOUND')
  );
}

const PROVIDER_SHORT: Record<CatalogProvider, string> = { huggingface: 'HF', modelscope: 'MS' };

export function SearchBlock({
  onDownload,
  onDetails,
  onUnavailable,
}: {
  onDownload: (item: CatalogItem) => void;
  onDetails: (item: CatalogItem) => void;
  onUnavailable: (reason: string | null) => void;
}) {
  const api = useApi();
  const { canOperate } = usePermissions();
  const [provider, setProvider] = useState<CatalogProvider>('huggingface');
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const debounced = useDebounced(text.trim(), SEARCH_DEBOUNCE_MS);
  // The Search button (or Enter) skips the wait; typing again goes back to the debounced value.
  const q = submitted ?? debounced;

  const search = useQuery({
    queryKey: ['catalog-search', provider, q, page],
    queryFn: async ({ signal }) => {
      try {
        const res = await api.catalog.search({ provider, q, page, limit: PAGE_SIZE }, { signal });
        onUnavailable(null);
        return res;
      } catch (err) {
        if (isCatalogUnavailable(err)) onUnavailable(err instanceof Error ? err.message : String(err));
        throw err;
      }
    },
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 60_000,
  });
  const unavailable = search.isError && isCatalogUnavailable(search.error);
  const data = search.isError ? undefined : search.data;
  const totalPages = data ? data.page + (data.has_more ? 1 : 0) : page;

  return (
    <Card withBorder radius="md" padding="lg" data-testid="hub-search">
      <Group justify="space-between" mb="md" align="flex-end">
        <div>
          <Text fw={650} fz="lg">
            Search Hugging Face &amp; ModelScope
          </Text>
          <Text size="sm" c="dimmed">
            Find a model on a hub and download it into the cluster.
          </Text>
        </div>
        <SegmentedControl
          value={provider}
          onChange={(v) => {
            setProvider(v as CatalogProvider);
            setPage(1);
          }}
          data={[
            { value: 'huggingface', label: 'Hugging Face' },
            { value: 'modelscope', label: 'ModelScope' },
          ]}
          aria-label="Provider"
        />
      </Group>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(text.trim());
          setPage(1);
        }}
      >
        <Group gap="sm" mb="md" wrap="nowrap">
          <TextInput
            style={{ flex: 1 }}
            placeholder="Search models, e.g. qwen, llama, bge…"
            leftSection={<IconSearch size={16} />}
            value={text}
            onChange={(e) => {
              setText(e.currentTarget.value);
              setSubmitted(null);
              setPage(1);
            }}
            aria-label="Search the hub"
          />
          <Button type="submit" loading={search.isFetching} variant="light">
            Search
          </Button>
        </Group>
      </form>
      {unavailable ? (
        <Alert
          color="orange"
          variant="light"
          icon={<IconCloudOff size={20} />}
          title="Search is unavailable"
          data-testid="search-unavailable"
        >
          <Text size="sm">
            {search.error instanceof Error ? search.error.message : 'The hub cannot be reached.'}
          </Text>
          <Text size="sm" mt={4}>
            The catalog works in downloaded-only mode: the models already in the cluster are listed above.
          </Text>
          <Button size="xs" variant="white" color="orange" mt="sm" onClick={() => void search.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : null}
      {search.isError && !unavailable ? (
        <ErrorState error={search.error} onRetry={() => void search.refetch()} title="Search failed" />
      ) : null}
      {!data && !search.isError ? <TableSkeleton rows={8} /> : null}
      {data && data.items.length === 0 ? (
        <EmptyState
          title="No models found"
          description={
            q
              ? `Nothing on ${provider === 'huggingface' ? 'Hugging Face' : 'ModelScope'} matches “${q}”.`
              : 'The hub returned no models.'
          }
        />
      ) : null}
      {data && data.items.length > 0 ? (
        <>
          <DataTable
            minWidth={860}
            testId="search-results"
            style={{ opacity: search.isPlaceholderData ? 0.6 : 1 }}
            columns={[
              'Model ID',
              'Source',
              'Task',
              'Size',
              'Downloads',
              'Likes',
              'Updated',
              { label: 'Actions', ta: 'right' },
            ]}
          >
            {data.items.map((it) => (
              <Table.Tr key={`${it.source}:${it.id}`} data-testid={`hub-row-${it.id}`}>
                <Table.Td>
                  <Text
                    size="sm"
                    fw={600}
                    ff="monospace"
                    className="nb-row-link"
                    onClick={() => onDetails(it)}
                  >
                    {it.id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge
                    variant="light"
                    color={it.source === 'huggingface' ? 'yellow' : 'indigo'}
                    radius="sm"
                  >
                    {PROVIDER_SHORT[it.source]}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{it.task ?? '—'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatBytes(it.size)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatCount(it.downloads)}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <IconHeart size={14} color="var(--mantine-color-pink-5)" />
                    <Text size="sm">{formatCount(it.likes)}</Text>
                  </Group>
                </Table.Td>
                <AgoCell time={it.updated_at} />
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <RowAction
                      tooltip="Details"
                      label={`Details of ${it.id}`}
                      color="gray"
                      icon={<IconEye size={18} />}
                      onClick={() => onDetails(it)}
                    />
                    {canOperate ? (
                      <Button
                        size="compact-sm"
                        variant="light"
                        leftSection={<IconDownload size={14} />}
                        onClick={() => onDownload(it)}
                        aria-label={`Download ${it.id}`}
                      >
                        Download
                      </Button>
                    ) : null}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          <Group justify="space-between" mt="md">
            <Text size="xs" c="dimmed">
              Page {data.page} · {data.items.length} result{data.items.length === 1 ? '' : 's'} · {PAGE_SIZE}{' '}
              per page
            </Text>
            <Pagination total={totalPages} value={page} onChange={setPage} size="sm" withEdges={false} />
          </Group>
        </>
      ) : null}
    </Card>
  );
}
