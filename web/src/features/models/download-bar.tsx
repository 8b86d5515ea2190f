import { Group, Progress, Stack, Text } from '@mantine/core';
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

/** One replica's download on one node, with speed, ETA, files and the error of a failed attempt. */
export function DownloadProgressBar({ p }: { p: DownloadProgress }) {
  const pct = p.phase === 'complete' ? 100 : percent(p.bytes_done, p.bytes_total);
  return (
    <Stack gap={4} data-testid="download-progress">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={500}>
          Replica {p.replica_id} on {p.node_id}
          <Text span c="dimmed" size="xs">
            {' '}
            · {p.phase}
            {p.attempt > 1 ? ` · attempt ${p.attempt}` : ''}
          </Text>
        </Text>
        <Text size="xs" c="dimmed" ff="monospace">
          {formatBytes(p.bytes_done)} / {formatBytes(p.bytes_total)} · {p.files_done}/{p.files_total} files ·{' '}
          {formatSpeed(p.speed_bps)}
          {p.eta_seconds !== undefined ? ` · ETA ${formatDuration(p.eta_seconds)}` : ''}
        </Text>
      </Group>
      <Progress
        value={pct}
        size="lg"
        radius="xl"
        color={PHASE_COLOR[p.phase] ?? 'blue'}
        striped={p.phase === 'downloading'}
        animated={p.phase === 'downloading'}
      />
      {p.current_file ? (
        <Text size="xs" c="dimmed" ff="monospace" truncate>
          {p.current_file}
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
