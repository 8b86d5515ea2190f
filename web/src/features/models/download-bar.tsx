import { Group, Progress, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { DownloadProgress, ModelView } from '../../api/types.ts';
import { formatBytes, formatDuration, formatSpeed, percent } from '../../lib/format.ts';

/** Compact download bar for lists (the model's summed progress over replicas). */
export function DownloadSummaryBar({ download }: { download: NonNullable<ModelView['download']> }) {
  return (
    <Stack gap={2} miw={140} data-testid="download-summary">
      <Progress value={download.percent} size="sm" radius="xl" color="blue" striped animated />
      <Text size="xs" c="dimmed">
        {download.percent.toFixed(0)}% · {formatBytes(download.bytes_done)} /{' '}
        {formatBytes(download.bytes_total)}
      </Text>
    </Stack>
  );
}

const PHASE_COLOR: Record<string, string> = {
  downloading: 'blue',
  verifying: 'cyan',
  complete: 'teal',
  failed: 'red',
  cancelled: 'gray',
  pending: 'gray',
};

/** What a transfer row shows besides its title: the counters every transfer of weights reports. */
interface TransferCounters {
  bytes_done: number;
  bytes_total: number;
  files_done: number;
  files_total: number;
  error?: string;
}

/**
 * One transfer of weights onto a node (a replica's download, a node's pre-pull): title with its state,
 * bytes and files with the rates that apply, a bar (full once done, moving while active), the file in
 * flight and the error of a failed one. The callers say what their states mean.
 */
export function TransferBar({
  testId,
  title,
  state,
  note,
  p,
  rates,
  done,
  active,
  color,
  currentFile,
}: {
  testId: string;
  title: ReactNode;
  state: string;
  /** After the state, e.g. " · attempt 2". */
  note: string;
  p: TransferCounters;
  /** Appended after the file count, each after a " · ". */
  rates: readonly string[];
  done: boolean;
  active: boolean;
  color: string;
  currentFile?: string | undefined;
}) {
  const pct = done ? 100 : percent(p.bytes_done, p.bytes_total);
  return (
    <Stack gap={4} data-testid={testId}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={500}>
          {title}
          <Text span c="dimmed" size="xs">
            {' '}
            · {state}
            {note}
          </Text>
        </Text>
        <Text size="xs" c="dimmed" ff="monospace">
          {formatBytes(p.bytes_done)} / {formatBytes(p.bytes_total)} · {p.files_done}/{p.files_total} files
          {rates.map((r) => ` · ${r}`).join('')}
        </Text>
      </Group>
      <Progress value={pct} size="lg" radius="xl" color={color} striped={active} animated={active} />
      {currentFile ? (
        <Text size="xs" c="dimmed" ff="monospace" truncate>
          {currentFile}
        </Text>
      ) : null}
      {p.error ? (
        <Text size="xs" c="red">
          {p.error}
        </Text>
      ) : null}
    </Stack>
  );
}

/** One replica's download on one node, with speed, ETA, files and the error of a failed attempt. */
export function DownloadProgressBar({ p }: { p: DownloadProgress }) {
  return (
    <TransferBar
      testId="download-progress"
      title={`Replica ${p.replica_id} on ${p.node_id}`}
      state={p.phase}
      note={p.attempt > 1 ? ` · attempt ${p.attempt}` : ''}
      p={p}
      rates={[
        formatSpeed(p.speed_bps),
        ...(p.eta_seconds !== undefined ? [`ETA ${formatDuration(p.eta_seconds)}`] : []),
      ]}
      done={p.phase === 'complete'}
      active={p.phase === 'downloading'}
      color={PHASE_COLOR[p.phase] ?? 'blue'}
      currentFile={p.current_file}
    />
  );
}
