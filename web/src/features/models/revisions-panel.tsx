import { Badge, Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconArrowBackUp, IconPlayerPause, IconPlayerPlay } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { rolloutLine as coreRolloutLine } from '../../../../src/core/rollout-line.ts';
import type { ModelDetailView, ModelRevision, ModelRevisionDiff } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { ErrorState } from '../../components/error-state.tsx';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import { notifyError, notifySuccess } from '../../lib/notify.ts';
import { SectionCard } from './detail-sections.tsx';

type Rollout = NonNullable<ModelDetailView['rollout']>;

/** `updating 1/2 on r3`, worded as the CLI words it (src/core/rollout-line.ts), the reason after a colon (pure). */
export function rolloutLine(r: Rollout): string {
  return coreRolloutLine(r, 'colon');
}

const PHASE_COLOR: Record<Rollout['phase'], string> = {
  progressing: 'blue',
  paused: 'yellow',
  complete: 'green',
  rolled_back: 'orange',
  failed: 'red',
};

function show(v: unknown): string {
  return v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
}

function DiffView({ uid, n }: { uid: string; n: number }) {
  const api = useApi();
  const q = useQuery({
    queryKey: ['model-revision-diff', uid, n],
    queryFn: () => api.models.diff(uid, n),
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const d: ModelRevisionDiff | undefined = q.data;
  if (!d) return <Text size="sm">Loading…</Text>;
  if (d.changes.length === 0) return <Text size="sm">No differences.</Text>;
  return (
    <Table data-testid={`revision-diff-${n}`} fz="xs" withRowBorders={false}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Field</Table.Th>
          <Table.Th>{d.against === null ? 'Before' : `r${d.against}`}</Table.Th>
          <Table.Th>{`r${d.revision}`}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {d.changes.map((c) => (
          <Table.Tr key={c.path}>
            <Table.Td>
              <Code>{c.path}</Code>
            </Table.Td>
            <Table.Td c="red.7">{show(c.before)}</Table.Td>
            <Table.Td c="green.8">{show(c.after)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * The spec's history on the model detail (issue 17): the current revision, the rollout's progress, every
 * revision with who/when/why and what changed, a per-revision diff, and Rollback / Pause for operators.
 */
export function RevisionsPanel({ m }: { m: ModelDetailView }) {
  const api = useApi();
  const qc = useQueryClient();
  const { canOperate } = usePermissions();
  const [open, setOpen] = useState<number | null>(null);
  const uid = m.model_uid;
  const list = useQuery({
    queryKey: ['model-revisions', uid, m.revision ?? null],
    queryFn: () => api.models.revisions(uid, { limit: 100 }),
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['model', uid] });
    void qc.invalidateQueries({ queryKey: ['model-revisions', uid] });
    void qc.invalidateQueries({ queryKey: ['models'] });
  };
  const rollback = useMutation({
    mutationFn: (to: number) => api.models.rollback(uid, { to }),
    onSuccess: (r) =>
      notifySuccess(`${uid} rolled back to revision ${r.rollback_of} (now revision ${r.revision})`),
    onError: (e) => notifyError(e, 'Rollback failed'),
    onSettled: refresh,
  });
  const pause = useMutation({
    mutationFn: (paused: boolean) => (paused ? api.models.pauseRollout(uid) : api.models.resumeRollout(uid)),
    onSuccess: (r) => notifySuccess(`Rollout of ${uid} ${r.paused ? 'paused' : 'resumed'}`),
    onError: (e) => notifyError(e, 'Rollout change failed'),
    onSettled: refresh,
  });
  const askRollback = (r: ModelRevision) =>
    modals.openConfirmModal({
      title: `Roll ${uid} back to revision ${r.revision}?`,
      children: (
        <Text size="sm">
          Its spec becomes a new revision and the replicas move to it the way any change rolls out
          {r.changed.length > 0 ? ` (revision ${r.revision} changed: ${r.changed.join(', ')})` : ''}.
        </Text>
      ),
      labels: { confirm: 'Roll back', cancel: 'Cancel' },
      confirmProps: { color: 'orange' },
      onConfirm: () => rollback.mutate(r.revision),
    });

  const paused = m.deployment?.rollout?.paused ?? false;
  const current = list.data?.current ?? m.revision ?? null;
  const header = (
    <Group gap="xs">
      {current !== null ? <Badge variant="light">{`r${current}`}</Badge> : null}
      {m.rollout ? (
        <Badge color={PHASE_COLOR[m.rollout.phase]} variant="light" data-testid="rollout-status">
          {rolloutLine(m.rollout)}
        </Badge>
      ) : null}
      {canOperate ? (
        <Button
          size="xs"
          variant="default"
          leftSection={paused ? <IconPlayerPlay size={14} /> : <IconPlayerPause size={14} />}
          loading={pause.isPending}
          onClick={() => pause.mutate(!paused)}
        >
          {paused ? 'Resume rollout' : 'Pause rollout'}
        </Button>
      ) : null}
    </Group>
  );

  return (
    <SectionCard title="Revisions" right={header} testId="revisions-card">
      <Stack gap="xs">
        <Text size="sm" c="dimmed" data-testid="replicas-current">
          {`${m.replicas_current ?? 0} of ${m.ready_replicas} ready replica${m.ready_replicas === 1 ? '' : 's'} run the current revision`}
        </Text>
        {list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : null}
        <Table fz="sm" highlightOnHover data-testid="revisions-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Revision</Table.Th>
              <Table.Th>When</Table.Th>
              <Table.Th>By</Table.Th>
              <Table.Th>Cause</Table.Th>
              <Table.Th>Changed</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data?.items ?? []).map((r) => (
              <Fragment key={r.revision}>
                <Table.Tr data-testid={`revision-row-${r.revision}`}>
                  <Table.Td>
                    {`r${r.revision}`}
                    {r.revision === current ? (
                      <Badge ml="xs" size="xs" variant="outline">
                        current
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td title={formatDateTime(r.created_at)}>{formatRelative(r.created_at)}</Table.Td>
                  <Table.Td>
                    <Text span ff="monospace" fz="xs">
                      {r.created_by}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {r.rollback_of !== undefined ? `${r.cause} to r${r.rollback_of}` : r.cause}
                    {r.message ? (
                      <Text size="xs" c="dimmed">
                        {r.message}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{r.changed.join(', ') || '—'}</Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setOpen(open === r.revision ? null : r.revision)}
                      >
                        {open === r.revision ? 'Hide diff' : 'Diff'}
                      </Button>
                      {canOperate && r.revision !== current ? (
                        <Button
                          size="compact-xs"
                          variant="light"
                          color="orange"
                          leftSection={<IconArrowBackUp size={12} />}
                          aria-label={`Roll back to revision ${r.revision}`}
                          loading={rollback.isPending && rollback.variables === r.revision}
                          onClick={() => askRollback(r)}
                        >
                          Rollback
                        </Button>
                      ) : null}
                    </Group>
                  </Table.Td>
                </Table.Tr>
                {open === r.revision ? (
                  <Table.Tr>
                    <Table.Td colSpan={6}>
                      <DiffView uid={uid} n={r.revision} />
                    </Table.Td>
                  </Table.Tr>
                ) : null}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </SectionCard>
  );
}
