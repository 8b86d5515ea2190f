import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Timeline, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconInfoCircle, IconX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { ModelDetailView, ModelEvent } from '../../api/types.ts';
import { formatBytes, formatCount, formatDateTime, formatRelative, formatSeconds } from '../../lib/format.ts';
import { ENGINE_LABEL, SOURCE_LABEL } from '../../lib/states.ts';
import { DataTable } from '../../components/data-table.tsx';

/** A label/value grid for spec-like objects. */
export function Fields({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <Table withRowBorders={false} verticalSpacing={6} highlightOnHover={false}>
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Td w={180} c="dimmed" fz="sm" style={{ verticalAlign: 'top' }}>
              {k}
            </Table.Td>
            <Table.Td fz="sm">{v ?? '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function SectionCard({
  title,
  children,
  right,
  testId,
}: {
  title: string;
  children: ReactNode;
  right?: ReactNode;
  testId?: string;
}) {
  return (
    <Card withBorder radius="md" padding="lg" data-testid={testId}>
      <Group justify="space-between" mb="sm">
        <Text fw={600}>{title}</Text>
        {right}
      </Group>
      {children}
    </Card>
  );
}

const mono = (s: ReactNode) => (
  <Text span ff="monospace" fz="sm">
    {s}
  </Text>
);

export function SpecCard({ m }: { m: ModelDetailView }) {
  const s = m.spec;
  const extra = s.engine_config.extra_args.join(' ');
  return (
    <SectionCard title="Spec" testId="spec-card">
      <Fields
        rows={[
          ['Model name', mono(s.model_name)],
          ['Source', SOURCE_LABEL[s.model_source] ?? s.model_source],
          ['Revision', mono(s.revision)],
          ...(s.model_path ? ([['Path', mono(s.model_path)]] as [string, ReactNode][]) : []),
          ['Engine', ENGINE_LABEL[s.engine_type] ?? s.engine_type],
          ...(s.gguf_file || s.gguf_quant
            ? ([['GGUF variant', mono(s.gguf_file ?? `quant ${s.gguf_quant ?? ''}`)]] as [
                string,
                ReactNode,
              ][])
            : []),
          ['Served as', mono(m.served_model_name)],
          [
            'GPUs per replica',
            `${s.resources.gpu_count}${s.resources.gpu_memory_gib ? ` × ${s.resources.gpu_memory_gib} GiB` : ''}`,
          ],
          ...(s.resources.weights_bytes
            ? ([['Weights', formatBytes(s.resources.weights_bytes)]] as [string, ReactNode][])
            : []),
          ...(m.memory_estimate
            ? ([['Memory per replica', <MemoryEstimate key="mem" e={m.memory_estimate} />]] as [
                string,
                ReactNode,
              ][])
            : []),
          ...(extra ? ([['Engine args', mono(extra)]] as [string, ReactNode][]) : []),
          ...(s.engine_config.max_model_len
            ? ([['Max model length', formatCount(s.engine_config.max_model_len)]] as [string, ReactNode][])
            : []),
          [
            'Labels',
            Object.keys(s.labels).length ? (
              <Group gap={4}>
                {Object.entries(s.labels).map(([k, v]) => (
                  <Badge key={k} variant="default" size="sm">{`${k}=${v}`}</Badge>
                ))}
              </Group>
            ) : (
              '—'
            ),
          ],
          ...(s.description ? ([['Description', s.description]] as [string, ReactNode][]) : []),
          ['Created', formatDateTime(s.created_at)],
        ]}
      />
    </SectionCard>
  );
}

type Estimate = NonNullable<ModelDetailView['memory_estimate']>;

const BASIS_LABEL: Record<Estimate['basis'], { text: string; color: string }> = {
  explicit: { text: 'set explicitly', color: 'gray' },
  facts: { text: "from the model's files", color: 'teal' },
  weights: { text: 'from resources.weights_bytes', color: 'blue' },
  params: { text: 'from param_count_b', color: 'blue' },
  'name-guess': { text: 'guessed from the name', color: 'orange' },
  'sim-default': { text: 'simulator default', color: 'gray' },
  cpu: { text: 'CPU only', color: 'gray' },
  unknown: { text: 'unknown: whole GPUs', color: 'orange' },
};

/** "22.4 GiB/GPU = 15.2 weights + 6.1 KV at 32k + 1.1 runtime", where each number came from below it. */
export function MemoryEstimate({ e }: { e: Estimate }) {
  const b = BASIS_LABEL[e.basis];
  return (
    <Stack gap={2} data-testid="memory-estimate">
      <Group gap={6}>
        <Text span ff="monospace" fz="sm">
          {e.summary}
        </Text>
        <Badge size="xs" variant="light" color={b.color}>
          {b.text}
        </Badge>
      </Group>
      {e.parts ? (
        <>
          <Text fz="xs" c="dimmed">
            weights: {e.parts.weights_what}
          </Text>
          <Text fz="xs" c="dimmed">
            KV cache: {e.parts.kv_what}
          </Text>
          <Text fz="xs" c="dimmed">
            runtime: {e.parts.runtime_what}
          </Text>
        </>
      ) : null}
    </Stack>
  );
}

export function DeploymentCard({ m }: { m: ModelDetailView }) {
  const d = m.deployment;
  const plan = m.plan;
  return (
    <SectionCard title="Deployment & plan" testId="deployment-card">
      {d ? (
        <Fields
          rows={[
            [
              'Desired state',
              <Badge key="d" variant="light" color={d.desired_state === 'running' ? 'teal' : 'gray'}>
                {d.desired_state}
              </Badge>,
            ],
            ['Replicas', `${m.ready_replicas} ready · ${m.total_replicas} placed · ${d.replicas} wanted`],
            ['Placement', d.placement_strategy],
            [
              'Node selector',
              Object.keys(d.node_selector).length
                ? Object.entries(d.node_selector)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')
                : 'any node',
            ],
            ['Generation', d.generation],
            ['Plan version', plan ? `${plan.plan_version} (from generation ${plan.generation})` : 'no plan'],
          ]}
        />
      ) : (
        <Text c="dimmed" size="sm">
          No deployment.
        </Text>
      )}
      {plan?.unplaced ? (
        <Group gap={6} mt="sm" wrap="nowrap" align="flex-start">
          <IconAlertTriangle size={16} color="var(--mantine-color-orange-6)" />
          <Text size="sm" c="orange">
            {plan.unplaced.replicas} replica(s) not placed: {plan.unplaced.reason}
          </Text>
        </Group>
      ) : null}
      {plan && plan.assignments.length > 0 ? (
        <DataTable
          mt="sm"
          fz="sm"
          testId="plan-table"
          columns={['Replica', 'Node', 'GPUs', 'Reserved / GPU', 'Port']}
        >
          {plan.assignments.map((a) => (
            <Table.Tr key={a.replica_id}>
              <Table.Td>{a.replica_id}</Table.Td>
              <Table.Td>{a.node_id}</Table.Td>
              <Table.Td>{a.gpu_indices.length ? a.gpu_indices.join(', ') : 'CPU'}</Table.Td>
              <Table.Td>{a.gpu_memory_bytes ? formatBytes(a.gpu_memory_bytes) : '—'}</Table.Td>
              <Table.Td ff="monospace">{a.port}</Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      ) : null}
    </SectionCard>
  );
}

const EP_COLOR: Record<string, string> = {
  ready: 'teal',
  starting: 'yellow',
  downloading: 'blue',
  failed: 'red',
  stopping: 'grape',
};

export function EndpointsCard({ m, onLogs }: { m: ModelDetailView; onLogs: (replica: number) => void }) {
  return (
    <SectionCard title="Endpoints" testId="endpoints-card">
      {m.endpoints.length === 0 ? (
        <Text c="dimmed" size="sm">
          No replica has reported an endpoint yet.
        </Text>
      ) : (
        <DataTable
          minWidth={720}
          fz="sm"
          columns={['Replica', 'Node', 'Address', 'Status', 'Restarts', 'Ready since', '']}
        >
          {m.endpoints.map((e) => (
            <Table.Tr key={e.replica_id}>
              <Table.Td>{e.replica_id}</Table.Td>
              <Table.Td>{e.node_id}</Table.Td>
              <Table.Td ff="monospace">
                {e.address}:{e.port}
              </Table.Td>
              <Table.Td>
                <Badge color={EP_COLOR[e.status] ?? 'gray'} variant="light" size="sm">
                  {e.status}
                </Badge>
                {e.last_error ? (
                  <Tooltip label={e.last_error} multiline maw={420}>
                    <Text size="xs" c="red" lineClamp={1} maw={240}>
                      {e.last_error}
                    </Text>
                  </Tooltip>
                ) : null}
              </Table.Td>
              <Table.Td>{e.restarts}</Table.Td>
              <Table.Td>{e.ready_at ? formatRelative(e.ready_at) : '—'}</Table.Td>
              <Table.Td>
                <Text size="sm" c="violet" style={{ cursor: 'pointer' }} onClick={() => onLogs(e.replica_id)}>
                  Logs
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </SectionCard>
  );
}

export function CacheCard({ m }: { m: ModelDetailView }) {
  return (
    <SectionCard title="Cache status" testId="cache-card">
      {m.cache.length === 0 ? (
        <Text c="dimmed" size="sm">
          {m.model_source === 'local' || m.engine_type === 'sim'
            ? 'No cached copy (local or simulated model).'
            : 'Not cached on any node yet.'}
        </Text>
      ) : (
        <DataTable fz="sm" columns={['Node', 'Status', 'Size', 'Files', 'Last used', 'Path']}>
          {m.cache.map((c) => (
            <Table.Tr key={c.node_id}>
              <Table.Td>{c.node_id}</Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={c.complete ? 'teal' : 'yellow'}>
                  {c.complete ? 'complete' : 'partial'}
                </Badge>
              </Table.Td>
              <Table.Td>{formatBytes(c.size_bytes)}</Table.Td>
              <Table.Td>{c.file_count}</Table.Td>
              <Table.Td>{formatRelative(c.last_used_at)}</Table.Td>
              <Table.Td ff="monospace" fz="xs">
                <Text size="xs" ff="monospace" truncate maw={360}>
                  {c.path}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </SectionCard>
  );
}

export function StatsRow({ m }: { m: ModelDetailView }) {
  const s = m.stats;
  const cell = (label: string, value: string) => (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fw={650} fz="lg">
        {value}
      </Text>
    </Stack>
  );
  return (
    <Card withBorder radius="md" padding="lg" data-testid="stats-row">
      <SimpleGrid cols={{ base: 3, lg: 6 }}>
        {cell('Replicas ready', `${m.ready_replicas} / ${m.desired_replicas}`)}
        {cell('Requests', s ? formatCount(s.requests_total) : '—')}
        {cell(
          'Request rate',
          s?.request_rate !== null && s?.request_rate !== undefined ? `${s.request_rate.toFixed(2)}/s` : '—',
        )}
        {cell(
          'Latency p50 / p90',
          s ? `${formatSeconds(s.latency_seconds.p50)} / ${formatSeconds(s.latency_seconds.p90)}` : '—',
        )}
        {cell('TTFT p50', s ? formatSeconds(s.ttft_seconds.p50) : '—')}
        {cell('Tokens out', s ? formatCount(s.completion_tokens_total) : '—')}
      </SimpleGrid>
    </Card>
  );
}

const LEVEL_ICON = {
  info: <IconInfoCircle size={14} />,
  warning: <IconAlertTriangle size={14} />,
  error: <IconX size={14} />,
};
const LEVEL_COLOR = { info: 'blue', warning: 'orange', error: 'red' };

export function EventsTimeline({ events }: { events: ModelEvent[] }) {
  if (events.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No events recorded yet.
      </Text>
    );
  }
  const sorted = [...events].sort((a, b) => b.time.localeCompare(a.time));
  return (
    <Timeline bulletSize={22} lineWidth={2} data-testid="events-timeline">
      {sorted.map((e) => (
        <Timeline.Item
          key={e.id}
          bullet={e.type === 'ready' ? <IconCircleCheck size={14} /> : LEVEL_ICON[e.level]}
          color={e.type === 'ready' ? 'teal' : LEVEL_COLOR[e.level]}
          title={
            <Group gap="xs">
              <Text size="sm" fw={600}>
                {e.type}
              </Text>
              <Text size="xs" c="dimmed">
                {e.source}
                {e.node_id ? ` · ${e.node_id}` : ''}
                {e.replica_id !== undefined ? ` · replica ${e.replica_id}` : ''}
              </Text>
            </Group>
          }
        >
          <Text size="sm">{e.message}</Text>
          <Text size="xs" c="dimmed" title={formatDateTime(e.time)}>
            {formatRelative(e.time)}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
