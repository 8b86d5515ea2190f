import { Badge, Button, Card, Drawer, Group, Progress, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconEye, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { AgoCell, DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ErrorState } from '../../components/error-state.tsx';
import { RowAction } from '../../components/row-action.tsx';
import { confirmAction } from '../../lib/confirm.tsx';
import { useAction } from '../../lib/use-action.ts';
import { TableSkeleton } from '../../components/skeletons.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { formatBytes, formatRelative } from '../../lib/format.ts';
import { SOURCE_LABEL } from '../../lib/states.ts';
import { Fields } from '../models/detail-sections.tsx';
import { buildDownloadedRows, type DownloadedModelRow } from './downloaded-rows.ts';
import { Checkbox } from '@mantine/core';

/** Seed 004 §4.3: the downloaded models refresh every 10 seconds. */
export const CATALOG_REFRESH_MS = 10_000;

function NodeSpread({ row }: { row: DownloadedModelRow }) {
  if (row.node_count === 0)
    return (
      <Text c="dimmed" size="sm">
        —
      </Text>
    );
  const list = row.nodes.map((n) => `${n.node_id}${n.complete ? '' : ' (partial)'}`).join(', ');
  return (
    <Tooltip label={list} multiline maw={360}>
      <div>
        <Text size="sm">
          {row.node_count} node{row.node_count === 1 ? '' : 's'}
        </Text>
        <Text size="xs" c="dimmed" truncate maw={140}>
          {row.nodes.map((n) => n.node_id).join(', ')}
        </Text>
      </div>
    </Tooltip>
  );
}

function StateCell({ row }: { row: DownloadedModelRow }) {
  if (!row.state) {
    return (
      <Badge variant="outline" color="gray" size="sm" radius="sm">
        files only
      </Badge>
    );
  }
  return (
    <Stack gap={4}>
      <StateBadge state={row.state} reason={row.state_reason} />
      {row.state === 'downloading' && row.download ? (
        <Tooltip
          label={`${formatBytes(row.download.bytes_done)} of ${formatBytes(row.download.bytes_total)}`}
        >
          <Progress
            value={row.download.percent}
            size="sm"
            radius="xl"
            striped
            animated
            w={140}
            data-testid="catalog-download-progress"
          />
        </Tooltip>
      ) : null}
      {row.state === 'failed' && row.state_reason ? (
        <Text size="xs" c="red" lineClamp={2} maw={240} style={{ whiteSpace: 'normal' }}>
          {row.state_reason}
        </Text>
      ) : null}
    </Stack>
  );
}

/** Seed 004 §3.1: models whose files are in the cluster (or on their way), with refresh, delete and details. */
export function DownloadedBlock({ highlight }: { highlight: string | null }) {
  const api = useApi();
  const navigate = useNavigate();
  const { isAdmin } = usePermissions();
  const [detailsOf, setDetailsOf] = useState<DownloadedModelRow | null>(null);
  const cache = useQuery({
    queryKey: ['cache-summary'],
    queryFn: () => api.cache.summary(),
    refetchInterval: CATALOG_REFRESH_MS,
  });
  const models = useQuery({
    queryKey: ['models', 'catalog'],
    queryFn: () => api.models.list({ limit: 1000 }),
    refetchInterval: CATALOG_REFRESH_MS,
  });

  const refresh = () => {
    void cache.refetch();
    void models.refetch();
  };
  const remove = useAction({
    mutationFn: async (v: { row: DownloadedModelRow; purge: boolean }) => {
      if (v.row.model_uid) return api.models.delete(v.row.model_uid, v.purge ? { purge: true } : {});
      await Promise.all(v.row.nodes.map((n) => api.nodes.purgeCache(n.node_id, n.name_hash)));
      return null;
    },
    success: (_d, v) => `${v.row.model_uid ?? v.row.model_name} deleted`,
    failure: 'Delete failed',
    invalidate: [['models'], ['cache-summary']],
  });

  const confirmDelete = (row: DownloadedModelRow) => {
    let purge = row.model_uid === null;
    confirmAction({
      title: `Delete ${row.model_uid ?? row.model_name}?`,
      body: (
        <Stack gap="sm">
          {row.model_uid ? (
            <>
              <Text size="sm">
                This deletes model <b>{row.model_uid}</b> ({row.model_name}): its spec and deployment, and it
                stops its replicas. It cannot be undone.
              </Text>
              {row.node_count > 0 ? (
                <Checkbox
                  defaultChecked={false}
                  label={`Also delete the cached files (${formatBytes(row.size_bytes)} on ${row.node_count} node${row.node_count === 1 ? '' : 's'})`}
                  onChange={(e) => {
                    purge = e.currentTarget.checked;
                  }}
                />
              ) : null}
            </>
          ) : (
            <Text size="sm">
              This deletes the cached files of <b>{row.model_name}</b> ({formatBytes(row.size_bytes)}) from{' '}
              {row.node_count} node{row.node_count === 1 ? '' : 's'}. Nodes keep files that a running model
              still uses.
            </Text>
          )}
        </Stack>
      ),
      confirm: 'Delete',
      onConfirm: () => remove.mutate({ row, purge }),
    });
  };

  const rows =
    cache.data && models.data ? buildDownloadedRows(cache.data.items, models.data.items) : undefined;
  const error = cache.error ?? models.error;
  const updatedAt = Math.max(cache.dataUpdatedAt, models.dataUpdatedAt);

  return (
    <Card withBorder radius="md" padding="lg" data-testid="downloaded-models" id="downloaded-models">
      <Group justify="space-between" mb="md">
        <div>
          <Group gap="xs">
            <Text fw={650} fz="lg">
              Downloaded models
            </Text>
            {rows ? (
              <Badge variant="light" color="gray">
                {rows.length}
              </Badge>
            ) : null}
          </Group>
          <Text size="sm" c="dimmed">
            Model files in the cluster and the models using them. Refreshes every 10 s
            {updatedAt ? ` · updated ${formatRelative(new Date(updatedAt).toISOString())}` : ''}.
          </Text>
        </div>
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} />}
          onClick={refresh}
          loading={cache.isFetching || models.isFetching}
        >
          Refresh
        </Button>
      </Group>
      {error && !rows ? <ErrorState error={error} onRetry={refresh} /> : null}
      {!rows && !error ? <TableSkeleton rows={4} /> : null}
      {rows && rows.length === 0 ? (
        <EmptyState
          title="No models in the cluster yet"
          description="Search a hub below and download a model."
        />
      ) : null}
      {rows && rows.length > 0 ? (
        <DataTable
          minWidth={820}
          testId="downloaded-table"
          style={{ whiteSpace: 'nowrap' }}
          columns={[
            'Name',
            'UID',
            'Source · revision',
            'Size',
            'Nodes',
            'Last used',
            'State',
            { label: 'Actions', ta: 'right' },
          ]}
        >
          {rows.map((r) => (
            <Table.Tr
              key={r.key}
              data-testid={`downloaded-row-${r.model_uid ?? r.model_name}`}
              bg={highlight && r.model_uid === highlight ? 'var(--mantine-color-violet-light)' : undefined}
            >
              <Table.Td>
                <Text
                  size="sm"
                  fw={600}
                  ff="monospace"
                  style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
                  miw={180}
                  maw={320}
                >
                  {r.model_name}
                </Text>
                {r.gguf_files ? (
                  <Text
                    size="xs"
                    c="dimmed"
                    ff="monospace"
                    style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
                    maw={320}
                    data-testid="gguf-files"
                  >
                    GGUF: {r.gguf_files.join(', ')}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {r.model_uid ?? (
                    <Text span c="dimmed">
                      —
                    </Text>
                  )}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{SOURCE_LABEL[r.source] ?? r.source}</Text>
                <Text size="xs" c="dimmed" ff="monospace">
                  {r.revision ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatBytes(r.size_bytes)}</Text>
              </Table.Td>
              <Table.Td>
                <NodeSpread row={r} />
              </Table.Td>
              <AgoCell time={r.last_used_at} />
              <Table.Td>
                <StateCell row={r} />
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <RowAction
                    tooltip="Details"
                    label={`Details of ${r.model_uid ?? r.model_name}`}
                    color="gray"
                    icon={<IconEye size={18} />}
                    onClick={() => (r.model_uid ? void navigate(`/models/${r.model_uid}`) : setDetailsOf(r))}
                  />
                  {isAdmin ? (
                    <RowAction
                      tooltip="Delete"
                      label={`Delete ${r.model_uid ?? r.model_name}`}
                      color="red"
                      icon={<IconTrash size={18} />}
                      onClick={() => confirmDelete(r)}
                    />
                  ) : null}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      ) : null}
      <Drawer
        opened={detailsOf !== null}
        onClose={() => setDetailsOf(null)}
        position="right"
        size="lg"
        title={
          <Text fw={600} ff="monospace">
            {detailsOf?.model_name}
          </Text>
        }
      >
        {detailsOf ? (
          <Stack>
            <Fields
              rows={[
                ['Source', SOURCE_LABEL[detailsOf.source]],
                ['Revision', detailsOf.revision ?? '—'],
                ['Size', formatBytes(detailsOf.size_bytes)],
                ['Used by', 'no model (files only)'],
                ['Last used', formatRelative(detailsOf.last_used_at)],
                ...(detailsOf.gguf_files
                  ? [['GGUF files', detailsOf.gguf_files.join(', ')] as [string, string]]
                  : []),
              ]}
            />
            <DataTable fz="sm" columns={['Node', 'Status', 'Size', 'Path']}>
              {detailsOf.nodes.map((n) => (
                <Table.Tr key={n.node_id}>
                  <Table.Td>{n.node_id}</Table.Td>
                  <Table.Td>{n.complete ? 'complete' : 'partial'}</Table.Td>
                  <Table.Td>{formatBytes(n.size_bytes)}</Table.Td>
                  <Table.Td ff="monospace" fz="xs">
                    {n.path}
                  </Table.Td>
                </Table.Tr>
              ))}
            </DataTable>
          </Stack>
        ) : null}
      </Drawer>
    </Card>
  );
}
