import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { NodeDetailView } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { RowAction } from '../../components/row-action.tsx';
import { useConfirmedAction } from '../../lib/use-action.ts';
import { BackCrumbs, PageHeader } from '../../components/page-header.tsx';
import { QueryBoundary } from '../../components/query-boundary.tsx';
import { CardsSkeleton } from '../../components/skeletons.tsx';
import { UsageBar } from '../../components/usage-bar.tsx';
import { formatBytes, formatDateTime, formatRelative } from '../../lib/format.ts';
import { SOURCE_LABEL } from '../../lib/states.ts';
import { SectionCard } from '../models/detail-sections.tsx';
import { NodeActions } from './node-actions.tsx';
import { NodeBadges } from './node-badges.tsx';
import { NodeEngines } from './node-engines.tsx';

/** A cache entry as the server shows it: `name_hash` is its key's hash, what a purge names. */
type CacheEntry = NodeDetailView['cache'][number];

/** One node: GPUs with their reservations, replicas, disk, alerts and model cache. */
export function NodeDetailPage() {
  const { nodeId = '' } = useParams();
  const api = useApi();
  const { isAdmin } = usePermissions();
  const node = useQuery({
    queryKey: ['node', nodeId],
    queryFn: () => api.nodes.get(nodeId),
    refetchInterval: 5_000,
  });
  const confirmPurge = useConfirmedAction({
    mutationFn: (e: CacheEntry) => api.nodes.purgeCache(nodeId, e.name_hash),
    success: (_d, e) => `Deleting ${e.model_name} from ${nodeId}`,
    failure: 'Delete failed',
    invalidate: [['node', nodeId], ['cache-summary']],
    ask: (e) => ({
      title: `Delete ${e.model_name} from ${nodeId}?`,
      body: `Frees ${formatBytes(e.size_bytes)}. The node refuses if a running replica uses these files.`,
      confirm: 'Delete files',
    }),
  });

  return (
    <>
      <BackCrumbs to="/nodes" label="Nodes" current={nodeId} />
      <QueryBoundary query={node} loading={<CardsSkeleton count={3} height={180} />}>
        {(n) => (
          <>
            <PageHeader
              title={n.node_id}
              badge={<NodeBadges node={n} />}
              description={`${n.address ?? 'no address'} · admin port ${n.admin_port ?? '—'} · heartbeat ${formatRelative(n.heartbeat_at)}`}
              actions={<NodeActions node={n} size="sm" />}
            />
            <Stack gap="lg">
              <NodeEngines node={n} />
              <SimpleGrid cols={{ base: 1, lg: 2 }}>
                <SectionCard title={`GPUs (${n.gpus.length})`} testId="node-gpus">
                  <Stack gap="md">
                    {n.gpus.length === 0 ? (
                      <Text c="dimmed" size="sm">
                        No GPUs.
                      </Text>
                    ) : null}
                    {n.gpus.map((g) => (
                      <Stack key={g.index} gap={4}>
                        <UsageBar
                          label={`GPU ${g.index} · ${g.name} · ${g.utilization_percent.toFixed(0)}% util${g.temperature_c !== undefined ? ` · ${g.temperature_c}°C` : ''}`}
                          used={g.memory_used_bytes}
                          reserved={g.reserved_memory_bytes}
                          total={g.memory_total_bytes}
                        />
                        <Group gap={4}>
                          {g.replicas.map((r) => (
                            <Badge
                              key={`${r.model_uid}-${r.replica_id}`}
                              variant="light"
                              size="sm"
                              component={Link}
                              to={`/models/${r.model_uid}`}
                              style={{ cursor: 'pointer' }}
                            >
                              {r.model_uid} #{r.replica_id}
                            </Badge>
                          ))}
                        </Group>
                      </Stack>
                    ))}
                  </Stack>
                </SectionCard>
                <SectionCard title="Disk & alerts" testId="node-disk">
                  {n.disk ? (
                    <UsageBar label={n.disk.path} used={n.disk.used_bytes} total={n.disk.total_bytes} />
                  ) : (
                    <Text c="dimmed" size="sm">
                      No disk status reported.
                    </Text>
                  )}
                  <Stack gap={6} mt="md">
                    {n.alerts.length === 0 ? (
                      <Text size="sm" c="dimmed">
                        No alerts.
                      </Text>
                    ) : (
                      n.alerts.map((a) => (
                        <Group key={a.alert_type} gap={8}>
                          <Badge color={a.level === 'critical' ? 'red' : 'orange'}>{a.level}</Badge>
                          <Text size="sm">{a.message}</Text>
                          <Text size="xs" c="dimmed">
                            since {formatDateTime(a.since)}
                          </Text>
                        </Group>
                      ))
                    )}
                  </Stack>
                </SectionCard>
              </SimpleGrid>
              <SectionCard title={`Replicas (${n.assignments.length})`} testId="node-replicas">
                {n.assignments.length === 0 ? (
                  <Text c="dimmed" size="sm">
                    No replica is placed on this node.
                  </Text>
                ) : (
                  <DataTable
                    fz="sm"
                    columns={['Model', 'Replica', 'GPUs', 'Reserved / GPU', 'Port', 'Status']}
                  >
                    {n.assignments.map((a) => {
                      const ep = n.endpoints.find(
                        (e) => e.model_uid === a.model_uid && e.replica_id === a.replica_id,
                      );
                      return (
                        <Table.Tr key={`${a.model_uid}-${a.replica_id}`}>
                          <Table.Td>
                            <Anchor component={Link} to={`/models/${a.model_uid}`} size="sm">
                              {a.model_uid}
                            </Anchor>
                          </Table.Td>
                          <Table.Td>{a.replica_id}</Table.Td>
                          <Table.Td>{a.gpu_indices.length ? a.gpu_indices.join(', ') : 'CPU'}</Table.Td>
                          <Table.Td>{formatBytes(a.gpu_memory_bytes)}</Table.Td>
                          <Table.Td ff="monospace">{a.port}</Table.Td>
                          <Table.Td>
                            {ep ? (
                              <Badge
                                variant="light"
                                size="sm"
                                color={
                                  ep.status === 'ready' ? 'teal' : ep.status === 'failed' ? 'red' : 'yellow'
                                }
                              >
                                {ep.status}
                              </Badge>
                            ) : (
                              <Text c="dimmed" size="sm">
                                pending
                              </Text>
                            )}
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </DataTable>
                )}
              </SectionCard>
              <Card withBorder radius="md" padding="lg" data-testid="node-cache">
                <Text fw={600} mb="sm">
                  Model cache ({n.cache.length}) ·{' '}
                  {formatBytes(n.cache.reduce((s, e) => s + e.size_bytes, 0))}
                </Text>
                {n.cache.length === 0 ? (
                  <Text c="dimmed" size="sm">
                    No model files cached on this node.
                  </Text>
                ) : (
                  <DataTable
                    fz="sm"
                    columns={['Model', 'Source', 'Size', 'Status', 'Last used', 'Path', isAdmin && '']}
                  >
                    {n.cache.map((e) => (
                      <Table.Tr key={`${e.source}:${e.model_name}`}>
                        <Table.Td ff="monospace">{e.model_name}</Table.Td>
                        <Table.Td>{SOURCE_LABEL[e.source] ?? e.source}</Table.Td>
                        <Table.Td>{formatBytes(e.size_bytes)}</Table.Td>
                        <Table.Td>{e.complete ? 'complete' : 'partial'}</Table.Td>
                        <Table.Td>{formatRelative(e.last_used_at)}</Table.Td>
                        <Table.Td>
                          <Text size="xs" ff="monospace" truncate maw={320}>
                            {e.path}
                          </Text>
                        </Table.Td>
                        {isAdmin ? (
                          <Table.Td>
                            <RowAction
                              tooltip="Delete these files"
                              label={`Delete cache of ${e.model_name}`}
                              color="red"
                              icon={<IconTrash size={16} />}
                              onClick={() => confirmPurge(e)}
                            />
                          </Table.Td>
                        ) : null}
                      </Table.Tr>
                    ))}
                  </DataTable>
                )}
              </Card>
            </Stack>
          </>
        )}
      </QueryBoundary>
    </>
  );
}
