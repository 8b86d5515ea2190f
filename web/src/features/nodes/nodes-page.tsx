import { Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconCpu, IconServer } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { NodeView } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { QueryBoundary } from '../../components/query-boundary.tsx';
import { CardsSkeleton } from '../../components/skeletons.tsx';
import { UsageBar } from '../../components/usage-bar.tsx';
import { formatRelative } from '../../lib/format.ts';
import { NodeActions } from './node-actions.tsx';
import { NodeBadges } from './node-badges.tsx';
import { NodeEngines } from './node-engines.tsx';

function NodeCard({ node }: { node: NodeView }) {
  return (
    <Card withBorder radius="md" padding="lg" data-testid={`node-card-${node.node_id}`}>
      <Group justify="space-between" align="flex-start" mb="sm" wrap="nowrap">
        <Stack gap={4}>
          <Group gap={8}>
            <IconServer size={18} />
            <Text fw={650} component={Link} to={`/nodes/${node.node_id}`}>
              {node.node_id}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" ff="monospace">
            {node.address ?? 'no address'}
            {node.version ? ` · v${node.version}` : ''} · heartbeat {formatRelative(node.heartbeat_at)}
          </Text>
          <NodeBadges node={node} />
          <NodeEngines node={node} />
        </Stack>
        <NodeActions node={node} />
      </Group>
      <Stack gap="xs">
        {node.gpus.length === 0 ? (
          <Text size="sm" c="dimmed">
            No GPUs (CPU-only node).
          </Text>
        ) : (
          node.gpus.map((g) => (
            <UsageBar
              key={g.index}
              label={`GPU ${g.index} · ${g.name} · ${g.utilization_percent.toFixed(0)}% util`}
              used={g.memory_used_bytes}
              reserved={g.reserved_memory_bytes}
              total={g.memory_total_bytes}
              size="sm"
            />
          ))
        )}
        {node.disk ? (
          <UsageBar
            label={`Disk ${node.disk.path}`}
            used={node.disk.used_bytes}
            total={node.disk.total_bytes}
            size="sm"
          />
        ) : null}
      </Stack>
      <Group gap="lg" mt="md">
        <Text size="sm">
          <b>{node.ready_replicas}</b>/{node.replicas} replicas ready
        </Text>
        {node.alerts.map((a) => (
          <Text key={a.alert_type} size="sm" c={a.level === 'critical' ? 'red' : 'orange'}>
            {a.message}
          </Text>
        ))}
      </Group>
    </Card>
  );
}

/** Every node with its GPUs, disk, replicas and alerts; operators cordon, uncordon and drain. */
export function NodesPage() {
  const api = useApi();
  const nodes = useQuery({ queryKey: ['nodes'], queryFn: () => api.nodes.list(), refetchInterval: 5_000 });
  return (
    <>
      <PageHeader title="Nodes" description="GPU machines in the cluster. Refreshes every 5 seconds." />
      <QueryBoundary query={nodes} loading={<CardsSkeleton count={2} height={220} />}>
        {(data) =>
          data.items.length === 0 ? (
            <Card withBorder radius="md">
              <EmptyState
                icon={<IconCpu size={28} />}
                title="No nodes have joined"
                description="Start a node agent (nebula node --etcd …) on each GPU machine."
              />
            </Card>
          ) : (
            <SimpleGrid cols={{ base: 1, xl: 2 }}>
              {data.items.map((n) => (
                <NodeCard key={n.node_id} node={n} />
              ))}
            </SimpleGrid>
          )
        }
      </QueryBoundary>
    </>
  );
}
