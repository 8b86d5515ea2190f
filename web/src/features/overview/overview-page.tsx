import { Badge, Card, Group, Progress, SimpleGrid, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import {
  IconAlertTriangle,
  IconBox,
  IconCircleCheck,
  IconCpu,
  IconPlugConnected,
  IconServer,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { AggregatedState, Health, NodeView, Overview } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ErrorState } from '../../components/error-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { CardsSkeleton } from '../../components/skeletons.tsx';
import { StatCard } from '../../components/stat-card.tsx';
import { UsageBar } from '../../components/usage-bar.tsx';
import { formatRelative, percent } from '../../lib/format.ts';
import { MODEL_STATES, STATE_COLOR } from '../../lib/states.ts';
import { TrafficCharts } from './traffic-charts.tsx';
import { useTraffic } from './use-traffic.ts';

const POLL_MS = 5_000;

function ModelsByState({ overview }: { overview: Overview }) {
  const byState = overview.models.by_state;
  const total = overview.models.total;
  return (
    <Card withBorder radius="md" padding="lg" data-testid="models-by-state">
      <Group justify="space-between" mb="sm">
        <Text fw={600}>Models by state</Text>
        <Text size="sm" c="dimmed" component={Link} to="/models">
          {total} model{total === 1 ? '' : 's'} →
        </Text>
      </Group>
      {total === 0 ? (
        <Text size="sm" c="dimmed" py="md">
          No models yet. Load one from the Models page or the Model Catalog.
        </Text>
      ) : (
        <>
          <Progress.Root size={14} radius="xl" mb="md">
            {MODEL_STATES.map((s) =>
              byState[s] ? (
                <Tooltip key={s} label={`${s}: ${byState[s]}`}>
                  <Progress.Section value={percent(byState[s] ?? 0, total)} color={STATE_COLOR[s]} />
                </Tooltip>
              ) : null,
            )}
          </Progress.Root>
          <SimpleGrid cols={{ base: 2, xl: 4 }} spacing="xs">
            {MODEL_STATES.map((s: AggregatedState) => (
              <Group
                key={s}
                gap={6}
                wrap="nowrap"
                renderRoot={(props) => <Link to={`/models?state=${s}`} {...props} />}
                style={{ textDecoration: 'none', color: 'inherit' }}
              >
                <Badge color={STATE_COLOR[s]} variant="dot" size="sm" radius="sm">
                  {s}
                </Badge>
                <Text size="sm" fw={600}>
                  {byState[s] ?? 0}
                </Text>
              </Group>
            ))}
          </SimpleGrid>
        </>
      )}
    </Card>
  );
}

function HealthRow({ ok, label, detail }: { ok: boolean; label: string; detail: string }) {
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Group gap={8} wrap="nowrap">
        <ThemeIcon size={20} radius="xl" color={ok ? 'teal' : 'red'} variant="light">
          {ok ? <IconCircleCheck size={14} /> : <IconAlertTriangle size={14} />}
        </ThemeIcon>
        <Text size="sm">{label}</Text>
      </Group>
      <Text size="xs" c="dimmed" truncate maw={260}>
        {detail}
      </Text>
    </Group>
  );
}

function EndpointHealth({ overview, health }: { overview: Overview; health: Health | undefined }) {
  const by = overview.endpoints.by_status;
  const colors: Record<string, string> = {
    ready: 'teal',
    starting: 'yellow',
    downloading: 'blue',
    failed: 'red',
    stopping: 'grape',
  };
  return (
    <Card withBorder radius="md" padding="lg" data-testid="endpoint-health">
      <Text fw={600} mb="sm">
        Endpoint &amp; component health
      </Text>
      <Group gap="xs" mb="md">
        {overview.endpoints.total === 0 ? (
          <Text size="sm" c="dimmed">
            No endpoints yet.
          </Text>
        ) : (
          Object.entries(by).map(([status, n]) => (
            <Badge key={status} color={colors[status] ?? 'gray'} variant="light" size="lg" radius="sm">
              {n} {status}
            </Badge>
          ))
        )}
      </Group>
      {health ? (
        <Stack gap={8}>
          <HealthRow
            ok={health.store.ok}
            label={`Store (${health.store.kind})`}
            detail={health.store.error ?? `revision ${health.store.revision ?? '—'}`}
          />
          <HealthRow
            ok={health.router.ok}
            label="Router"
            detail={health.router.error ?? health.router.url ?? 'not configured'}
          />
          <HealthRow
            ok={health.scheduler.leader !== null}
            label="Scheduler leader"
            detail={health.scheduler.leader ?? 'no leader'}
          />
          <HealthRow
            ok={health.plan_consistency.consistent}
            label="Plan consistency"
            detail={
              health.plan_consistency.consistent
                ? 'nodes applied the latest plans'
                : `${health.plan_consistency.lagging.length} replica(s) lagging`
            }
          />
        </Stack>
      ) : null}
    </Card>
  );
}

function GpuPanel({ nodes }: { nodes: NodeView[] }) {
  const withGpus = nodes.filter((n) => n.gpus.length > 0);
  return (
    <Card withBorder radius="md" padding="lg" data-testid="gpu-panel">
      <Group justify="space-between" mb="sm">
        <Text fw={600}>GPU memory</Text>
        <Text size="sm" c="dimmed" component={Link} to="/nodes">
          Nodes →
        </Text>
      </Group>
      {withGpus.length === 0 ? (
        <Text size="sm" c="dimmed">
          No GPUs reported by any node.
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
          {withGpus.map((n) => (
            <Stack key={n.node_id} gap={8}>
              <Group gap={6}>
                <IconServer size={16} />
                <Text size="sm" fw={600} component={Link} to={`/nodes/${n.node_id}`}>
                  {n.node_id}
                </Text>
                {!n.online ? (
                  <Badge color="red" size="xs">
                    offline
                  </Badge>
                ) : null}
                {n.cordoned ? (
                  <Badge color="yellow" size="xs">
                    cordoned
                  </Badge>
                ) : null}
              </Group>
              {n.gpus.map((g) => (
                <UsageBar
                  key={g.index}
                  label={`GPU ${g.index} · ${g.name}`}
                  used={g.memory_used_bytes}
                  reserved={g.reserved_memory_bytes}
                  total={g.memory_total_bytes}
                  size="sm"
                />
              ))}
            </Stack>
          ))}
        </SimpleGrid>
      )}
    </Card>
  );
}

function AlertsPanel() {
  const api = useApi();
  const alerts = useQuery({
    queryKey: ['alerts'],
    queryFn: () => api.alerts.list(),
    refetchInterval: POLL_MS,
  });
  const items = alerts.data?.items ?? [];
  return (
    <Card withBorder radius="md" padding="lg" data-testid="alerts-panel">
      <Text fw={600} mb="sm">
        Alerts
      </Text>
      {alerts.isError ? <ErrorState error={alerts.error} /> : null}
      {items.length === 0 && !alerts.isError ? (
        <Group gap={8}>
          <ThemeIcon size={20} radius="xl" color="teal" variant="light">
            <IconCircleCheck size={14} />
          </ThemeIcon>
          <Text size="sm" c="dimmed">
            No active alerts.
          </Text>
        </Group>
      ) : (
        <Stack gap={8}>
          {items.map((a) => (
            <Group key={`${a.node_id}/${a.alert_type}`} justify="space-between" wrap="nowrap">
              <Group gap={8} wrap="nowrap">
                <Badge color={a.level === 'critical' ? 'red' : 'orange'} size="sm">
                  {a.level}
                </Badge>
                <Text size="sm">
                  {a.node_id}: {a.message}
                </Text>
              </Group>
              <Text size="xs" c="dimmed">
                since {formatRelative(a.since)}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </Card>
  );
}

/** The cluster at a glance, polled every 5 s. */
export function OverviewPage() {
  const api = useApi();
  const overview = useQuery({
    queryKey: ['overview'],
    queryFn: () => api.v1.overview(),
    refetchInterval: POLL_MS,
  });
  const nodes = useQuery({ queryKey: ['nodes'], queryFn: () => api.nodes.list(), refetchInterval: POLL_MS });
  const health = useQuery({
    queryKey: ['health'],
    queryFn: () => api.v1.health(),
    refetchInterval: POLL_MS,
  });
  const traffic = useTraffic();

  const o = overview.data;
  return (
    <>
      <PageHeader
        title="Overview"
        description="Nodes, GPUs, models and traffic of the cluster. Refreshes every 5 seconds."
        actions={
          o ? (
            <Text size="xs" c="dimmed">
              Updated {formatRelative(o.generated_at)}
            </Text>
          ) : null
        }
      />
      {overview.isError && !o ? (
        <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />
      ) : null}
      {!o && !overview.isError ? <CardsSkeleton count={4} /> : null}
      {o ? (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 2, lg: 4 }}>
            <StatCard
              testId="stat-nodes"
              label="Nodes"
              value={`${o.nodes.online} / ${o.nodes.total}`}
              icon={<IconServer size={22} />}
              footer={
                <Text size="xs" c="dimmed">
                  {o.nodes.online} online · {o.nodes.offline} offline · {o.nodes.cordoned} cordoned
                </Text>
              }
            />
            <StatCard
              testId="stat-gpus"
              label="GPUs"
              value={o.gpus.total}
              color="indigo"
              icon={<IconCpu size={22} />}
              footer={
                <UsageBar
                  used={o.gpus.memory_used_bytes}
                  reserved={o.gpus.memory_reserved_bytes}
                  total={o.gpus.memory_total_bytes}
                  size="sm"
                />
              }
            />
            <StatCard
              testId="stat-models"
              label="Models"
              value={o.models.total}
              color="teal"
              icon={<IconBox size={22} />}
              footer={
                <Text size="xs" c="dimmed">
                  {o.models.by_state.running ?? 0} running · {o.placements.replicas} replica
                  {o.placements.replicas === 1 ? '' : 's'} placed
                  {o.placements.unplaced ? ` · ${o.placements.unplaced} unplaced` : ''}
                </Text>
              }
            />
            <StatCard
              testId="stat-endpoints"
              label="Ready endpoints"
              value={`${o.endpoints.by_status.ready ?? 0} / ${o.endpoints.total}`}
              color={o.alerts.critical ? 'red' : 'blue'}
              icon={<IconPlugConnected size={22} />}
              footer={
                <Text size="xs" c={o.alerts.total ? 'orange' : 'dimmed'}>
                  {o.alerts.total} alert{o.alerts.total === 1 ? '' : 's'} ({o.alerts.critical} critical)
                </Text>
              }
            />
          </SimpleGrid>
          <TrafficCharts traffic={traffic} />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <ModelsByState overview={o} />
            <EndpointHealth overview={o} health={health.data} />
          </SimpleGrid>
          {nodes.data ? (
            nodes.data.items.length === 0 ? (
              <Card withBorder radius="md">
                <EmptyState
                  title="No nodes have joined"
                  description="Start a node agent (nebula node) pointing at this cluster's store."
                />
              </Card>
            ) : (
              <GpuPanel nodes={nodes.data.items} />
            )
          ) : null}
          <AlertsPanel />
        </Stack>
      ) : null}
    </>
  );
}
