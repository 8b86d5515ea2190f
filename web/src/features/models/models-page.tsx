import { Badge, Button, Card, Group, Select, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconBox, IconPlus, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import type { AggregatedState, EngineType, ModelView } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { AgoCell, DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ErrorState } from '../../components/error-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { TableSkeleton } from '../../components/skeletons.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { ENGINE_LABEL, ENGINES, MODEL_STATES, SOURCE_LABEL, STATE_COLOR } from '../../lib/states.ts';
import { useDebounced } from '../../lib/use-debounced.ts';
import { DownloadSummaryBar } from './download-bar.tsx';
import { LoadModelDialog } from './load-model-dialog.tsx';
import { ModelActions } from './model-actions.tsx';

export const MODELS_POLL_MS = 5_000;

function Replicas({ m }: { m: ModelView }) {
  const color =
    m.desired_state === 'stopped'
      ? 'dimmed'
      : m.ready_replicas >= m.desired_replicas
        ? 'teal'
        : m.ready_replicas > 0
          ? 'orange'
          : undefined;
  return (
    <Tooltip label={`${m.ready_replicas} ready of ${m.total_replicas} placed; ${m.desired_replicas} wanted`}>
      <Text size="sm" fw={600} c={color} ff="monospace">
        {m.ready_replicas}/{m.desired_replicas}
      </Text>
    </Tooltip>
  );
}

function StateFilter({
  value,
  counts,
  onChange,
}: {
  value: AggregatedState | null;
  counts: Record<string, number>;
  onChange: (s: AggregatedState | null) => void;
}) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    <Group gap={6} data-testid="state-filter">
      <Badge
        component="button"
        variant={value === null ? 'filled' : 'default'}
        color="dark"
        size="lg"
        radius="sm"
        style={{ cursor: 'pointer' }}
        onClick={() => onChange(null)}
      >
        All {total}
      </Badge>
      {MODEL_STATES.map((s) => (
        <Badge
          key={s}
          component="button"
          variant={value === s ? 'filled' : 'light'}
          color={STATE_COLOR[s]}
          size="lg"
          radius="sm"
          style={{ cursor: 'pointer', opacity: counts[s] || value === s ? 1 : 0.55 }}
          onClick={() => onChange(value === s ? null : s)}
        >
          {s} {counts[s] ?? 0}
        </Badge>
      ))}
    </Group>
  );
}

/** Deployed models with their aggregated state; filters live in the URL so views can be shared. */
export function ModelsPage() {
  const api = useApi();
  const { canOperate } = usePermissions();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [loadOpen, load] = useDisclosure(false);
  const state = (params.get('state') as AggregatedState | null) ?? null;
  const engine = (params.get('engine') as EngineType | null) ?? null;
  const q = params.get('q') ?? '';
  const debouncedQ = useDebounced(q, 300);

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  const models = useQuery({
    queryKey: ['models', { state, engine, q: debouncedQ }],
    queryFn: () =>
      api.models.list({
        limit: 1000,
        ...(state ? { state } : {}),
        ...(engine ? { engine_type: engine } : {}),
        ...(debouncedQ ? { q: debouncedQ } : {}),
      }),
    refetchInterval: MODELS_POLL_MS,
    placeholderData: keepPreviousData,
  });
  const filtered = state !== null || engine !== null || debouncedQ !== '';

  return (
    <>
      <PageHeader
        title="Models"
        description="What runs where: every deployed model with its state and replicas."
        actions={
          canOperate ? (
            <Button leftSection={<IconPlus size={16} />} onClick={load.open}>
              Load model
            </Button>
          ) : null
        }
      />
      <Card withBorder radius="md" padding="md">
        <Group mb="sm" gap="sm">
          <TextInput
            placeholder="Search uid or name"
            leftSection={<IconSearch size={16} />}
            value={q}
            onChange={(e) => setParam('q', e.currentTarget.value)}
            w={300}
            aria-label="Search models"
          />
          <Select
            placeholder="All engines"
            data={ENGINES.map((e) => ({ value: e.value, label: e.label }))}
            value={engine}
            onChange={(v) => setParam('engine', v)}
            clearable
            w={170}
            aria-label="Engine filter"
          />
        </Group>
        <Group mb="md">
          <StateFilter
            value={state}
            counts={models.data?.counts ?? {}}
            onChange={(s) => setParam('state', s)}
          />
        </Group>
        {models.isError && !models.data ? (
          <ErrorState error={models.error} onRetry={() => void models.refetch()} />
        ) : null}
        {!models.data && !models.isError ? <TableSkeleton rows={6} /> : null}
        {models.data && models.data.items.length === 0 ? (
          filtered ? (
            <EmptyState
              title="No model matches these filters"
              description="Clear the filters to see every model."
              action={
                <Button variant="light" onClick={() => setParams({}, { replace: true })}>
                  Clear filters
                </Button>
              }
            />
          ) : (
            <EmptyState
              icon={<IconBox size={28} />}
              title="No models yet"
              description="Load a model from Hugging Face, ModelScope or a local path, deploy a template, or pick one in the Model Catalog."
              action={canOperate ? <Button onClick={load.open}>Load model</Button> : undefined}
            />
          )
        ) : null}
        {models.data && models.data.items.length > 0 ? (
          <DataTable
            minWidth={960}
            testId="models-table"
            columns={[
              'Model',
              'Source',
              'Engine',
              'State',
              'Replicas',
              'Progress',
              'Updated',
              canOperate && { label: 'Actions', ta: 'right' },
            ]}
          >
            {models.data.items.map((m) => (
              <Table.Tr
                key={m.model_uid}
                className="nb-row-link"
                onClick={() => void navigate(`/models/${m.model_uid}`)}
                data-testid={`model-row-${m.model_uid}`}
              >
                <Table.Td>
                  <Text fw={600} size="sm">
                    {m.model_uid}
                  </Text>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {m.model_name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                    {SOURCE_LABEL[m.model_source] ?? m.model_source}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                    {ENGINE_LABEL[m.engine_type] ?? m.engine_type}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <StateBadge state={m.state} reason={m.state_reason} />
                  {m.state === 'failed' && m.state_reason ? (
                    <Text size="xs" c="red" maw={260} lineClamp={2} mt={2}>
                      {m.state_reason}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Replicas m={m} />
                </Table.Td>
                <Table.Td>
                  {m.download ? <DownloadSummaryBar download={m.download} /> : <Text c="dimmed">—</Text>}
                </Table.Td>
                <AgoCell time={m.updated_at} />
                {canOperate ? (
                  <Table.Td>
                    <ModelActions model={m} compact />
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </DataTable>
        ) : null}
      </Card>
      {canOperate ? <LoadModelDialog opened={loadOpen} onClose={load.close} /> : null}
    </>
  );
}
