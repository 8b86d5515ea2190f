import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { usePermissions, useApi } from '../../auth/context.tsx';
import type { AutoscalingPolicyInput, AutoscalingView } from '../../api/types.ts';
import { formatRelative } from '../../lib/format.ts';
import { notifyError, notifySuccess } from '../../lib/notify.ts';
import { Fields, SectionCard } from './detail-sections.tsx';

type Policy = NonNullable<AutoscalingView['policy']>;
type Metric = Policy['target']['metric'];

const METRIC_LABEL: Record<Metric, string> = {
  inflight: 'requests in flight per replica',
  queue: 'waiting requests per replica',
  kv_cache: 'KV-cache usage per replica (0-1)',
};

/**
 * Milliseconds of a duration such as `30s`, `5m` or `1h30m` (a bare number is seconds), undefined when it
 * is not one. The same grammar as the server's DurationString (src/core/duration.ts), which re-checks it:
 * this only lets the form say what is wrong before sending.
 */
export function durationToMs(raw: string): number | undefined {
  const s = raw.trim();
  if (/^[0-9]+(?:\.[0-9]+)?$/.test(s)) return Number(s) * 1000;
  if (!/^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d))+$/.test(s)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const m of s.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/g))
    total += Number(m[1]) * (unit[m[2] ?? 's'] ?? 0);
  return total;
}

interface FormValues {
  min: number | string;
  max: number | string;
  metric: Metric;
  value: number | string;
  up: string;
  down: string;
  zero: string;
  dryRun: boolean;
}

/** The form's replica bounds, whole numbers up to 1000 (max at least 1), in the order shown. */
const REPLICA_FIELDS: readonly { key: 'min' | 'max'; label: string; min: number }[] = [
  { key: 'min', label: 'Min replicas', min: 0 },
  { key: 'max', label: 'Max replicas', min: 1 },
];

/** The form's duration fields (windows and scale-to-zero), one text input each, in the order shown. */
const WINDOW_FIELDS: readonly {
  key: 'up' | 'down' | 'zero';
  label: string;
  description: string;
  placeholder?: string;
}[] = [
  { key: 'up', label: 'Scale-up window', description: '0s: at once' },
  { key: 'down', label: 'Scale-down window', description: 'e.g. 5m' },
  { key: 'zero', label: 'Scale to zero after', description: 'with min 0; empty: never', placeholder: '10m' },
];

const num = (v: number | string) => (typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v));

/** Field -> message for what the server would refuse (min <= max, windows positive, ...). */
export function validateAutoscaling(f: FormValues): Partial<Record<keyof FormValues, string>> {
  const e: Partial<Record<keyof FormValues, string>> = {};
  const min = num(f.min);
  const max = num(f.max);
  const value = num(f.value);
  if (!Number.isInteger(min) || min < 0 || min > 1000) e.min = 'A whole number from 0 to 1000';
  if (!Number.isInteger(max) || max < 1 || max > 1000) e.max = 'A whole number from 1 to 1000';
  if (!e.min && !e.max && min > max) e.min = 'Min replicas must not exceed max replicas';
  if (!Number.isFinite(value) || value <= 0) e.value = 'A positive number';
  else if (f.metric === 'kv_cache' && value > 1)
    e.value = 'A KV-cache target is a fraction from 0 to 1 (e.g. 0.7)';
  else if (value > 100_000) e.value = 'At most 100000';
  const up = durationToMs(f.up);
  if (up === undefined || up > 3_600_000) e.up = 'A duration from 0s to 1h, e.g. 0s or 30s';
  const down = durationToMs(f.down);
  if (down === undefined || down < 1000 || down > 86_400_000) e.down = 'A duration from 1s to 1d, e.g. 5m';
  if (f.zero.trim() !== '') {
    const z = durationToMs(f.zero);
    if (min !== 0) e.zero = 'Scale to zero needs min replicas 0';
    else if (z === undefined || z < 1000 || z > 7 * 86_400_000) e.zero = 'A duration from 1s to 7d, e.g. 10m';
  }
  return e;
}

function toForm(p: Policy | null, current: number): FormValues {
  return p
    ? {
        min: p.min_replicas,
        max: p.max_replicas,
        metric: p.target.metric,
        value: p.target.value,
        up: p.scale_up_window,
        down: p.scale_down_window,
        zero: p.scale_to_zero_after ?? '',
        dryRun: p.dry_run,
      }
    : {
        min: 1,
        max: Math.max(current, 2),
        metric: 'inflight',
        value: 8,
        up: '0s',
        down: '5m',
        zero: '',
        dryRun: false,
      };
}

function toPolicy(f: FormValues): AutoscalingPolicyInput {
  return {
    min_replicas: num(f.min),
    max_replicas: num(f.max),
    target: { metric: f.metric, value: num(f.value) },
    scale_up_window: f.up.trim(),
    scale_down_window: f.down.trim(),
    ...(f.zero.trim() !== '' ? { scale_to_zero_after: f.zero.trim() } : {}),
    dry_run: f.dryRun,
  };
}

/** Sets, changes or turns off a model's autoscaling policy. */
function AutoscalingModal({
  uid,
  view,
  current,
  opened,
  onClose,
}: {
  uid: string;
  view: AutoscalingView | undefined;
  current: number;
  opened: boolean;
  onClose: () => void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const policy = view?.policy ?? null;
  const [f, setF] = useState<FormValues>(() => toForm(policy, current));
  useEffect(() => {
    if (opened) setF(toForm(policy, current));
    // Reset only when the dialog opens: a poll must not overwrite what the operator is typing.
  }, [opened]);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['model', uid] });
    void qc.invalidateQueries({ queryKey: ['models'] });
  };
  const save = useMutation({
    mutationFn: (p: AutoscalingPolicyInput) => api.models.setAutoscaling(uid, p),
    onSuccess: () => {
      notifySuccess(`${uid} autoscales`);
      onClose();
    },
    onError: (e) => notifyError(e, 'Autoscaling not saved'),
    onSettled: refresh,
  });
  const off = useMutation({
    mutationFn: () => api.models.clearAutoscaling(uid),
    onSuccess: () => {
      notifySuccess(`${uid}: autoscaling off, the replica count stays`);
      onClose();
    },
    onError: (e) => notifyError(e, 'Autoscaling not turned off'),
    onSettled: refresh,
  });
  const errors = validateAutoscaling(f);
  const valid = Object.keys(errors).length === 0;
  const set = <K extends keyof FormValues>(k: K, v: FormValues[K]) => setF((o) => ({ ...o, [k]: v }));
  return (
    <Modal opened={opened} onClose={onClose} title={`Autoscaling of ${uid}`} centered size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) save.mutate(toPolicy(f));
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            The replica count follows the load between min and max: desired = ceil(load / target). Windows are
            stabilisation windows: scale up to the lowest, down to the highest recommendation of the window.
          </Text>
          <Group grow align="flex-start">
            {REPLICA_FIELDS.map((r) => (
              <NumberInput
                key={r.key}
                label={r.label}
                min={r.min}
                max={1000}
                allowDecimal={false}
                value={f[r.key]}
                onChange={(v) => set(r.key, v)}
                error={errors[r.key]}
              />
            ))}
          </Group>
          <Group grow align="flex-start">
            <Select
              label="Target metric"
              data={(Object.keys(METRIC_LABEL) as Metric[]).map((m) => ({
                value: m,
                label: METRIC_LABEL[m],
              }))}
              value={f.metric}
              onChange={(v) => v && set('metric', v as Metric)}
              allowDeselect={false}
            />
            <NumberInput
              label="Target value"
              min={0}
              decimalScale={3}
              value={f.value}
              onChange={(v) => set('value', v)}
              error={errors.value}
            />
          </Group>
          <Group grow align="flex-start">
            {WINDOW_FIELDS.map((w) => (
              <TextInput
                key={w.key}
                label={w.label}
                description={w.description}
                placeholder={w.placeholder}
                value={f[w.key]}
                onChange={(e) => set(w.key, e.currentTarget.value)}
                error={errors[w.key]}
              />
            ))}
          </Group>
          <Switch
            label="Dry run: decide and record, never change the replica count"
            checked={f.dryRun}
            onChange={(e) => set('dryRun', e.currentTarget.checked)}
          />
          <Group justify="space-between">
            {policy ? (
              <Button color="red" variant="light" onClick={() => off.mutate()} loading={off.isPending}>
                Turn off
              </Button>
            ) : (
              <span />
            )}
            <Group>
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" disabled={!valid} loading={save.isPending}>
                Save
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The model's autoscaling policy and the autoscaler's last decision; operators can change it. */
export function AutoscalingCard({ uid, current }: { uid: string; current: number }) {
  const api = useApi();
  const { canOperate } = usePermissions();
  const [opened, modal] = useDisclosure(false);
  const q = useQuery({
    queryKey: ['model', uid, 'autoscaling'],
    queryFn: () => api.models.autoscaling(uid),
    refetchInterval: 8_000,
  });
  const p = q.data?.policy ?? null;
  const st = q.data?.status ?? null;
  const d = st?.last_decision;
  return (
    <SectionCard
      title="Autoscaling"
      testId="autoscaling-card"
      right={
        canOperate ? (
          <Button size="xs" variant="light" onClick={modal.open} disabled={!q.data}>
            {p ? 'Edit autoscaling' : 'Set autoscaling'}
          </Button>
        ) : null
      }
    >
      {q.isError ? (
        <Alert color="red" variant="light">
          Autoscaling could not be read: {q.error instanceof Error ? q.error.message : String(q.error)}
        </Alert>
      ) : !q.data ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : (
        <Stack gap="xs">
          {p ? (
            <Fields
              rows={[
                [
                  'Replicas',
                  <>
                    {p.min_replicas} to {p.max_replicas}
                    {p.dry_run ? (
                      <Badge ml="xs" size="sm" color="yellow" variant="light">
                        dry run
                      </Badge>
                    ) : null}
                  </>,
                ],
                ['Target', `${p.target.value} ${METRIC_LABEL[p.target.metric]}`],
                ['Windows', `up ${p.scale_up_window}, down ${p.scale_down_window}`],
                ['Scale to zero', p.scale_to_zero_after ? `after ${p.scale_to_zero_after} idle` : 'never'],
              ]}
            />
          ) : (
            <Text size="sm" c="dimmed">
              Off: the replica count is fixed.
            </Text>
          )}
          {d ? (
            <Fields
              rows={[
                [
                  'Last decision',
                  <span data-testid="autoscale-decision">
                    <Badge size="sm" variant="light" mr="xs">
                      {d.reason}
                    </Badge>
                    {d.current} → {d.desired} ({formatRelative(d.at)}){d.dry_run ? ', dry run' : ''}:{' '}
                    {d.message}
                  </span>,
                ],
                ...(st?.last_change && st.last_change.at !== d.at
                  ? ([
                      [
                        'Last change',
                        `${st.last_change.current} → ${st.last_change.desired} (${st.last_change.reason}, ${formatRelative(st.last_change.at)})`,
                      ],
                    ] as [string, string][])
                  : []),
                ...(st?.last_wake?.latency_ms !== undefined
                  ? ([['Last wake', `${(st.last_wake.latency_ms / 1000).toFixed(1)} s from zero`]] as [
                      string,
                      string,
                    ][])
                  : []),
              ]}
            />
          ) : null}
        </Stack>
      )}
      {canOperate ? (
        <AutoscalingModal uid={uid} view={q.data} current={current} opened={opened} onClose={modal.close} />
      ) : null}
    </SectionCard>
  );
}
