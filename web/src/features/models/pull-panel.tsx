import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ModelDetailView, ModelPull } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { formatBytes, formatSpeed, percent } from '../../lib/format.ts';
import { notifyError, notifySuccess } from '../../lib/notify.ts';

const STATUS_COLOR: Record<ModelPull['status'], string> = {
  pending: 'gray',
  downloading: 'blue',
  done: 'teal',
  failed: 'red',
};

/**
 * "Download" (pre-pull, operators): puts the weights onto the nodes that would run the model without
 * starting it, so a later start finds them cached. Shown for stopped models with files on a hub.
 */
export function DownloadButton({ m }: { m: Pick<ModelDetailView, 'model_uid' | 'model_source'> }) {
  const api = useApi();
  const qc = useQueryClient();
  const pull = useMutation({
    mutationFn: (uid: string) => api.models.pull(uid),
    onSuccess: (r, uid) => notifySuccess(`${uid}: downloading onto ${r.nodes.join(', ')}`),
    onError: (e) => notifyError(e, 'Download failed'),
    onSettled: (_d, _e, uid) => void qc.invalidateQueries({ queryKey: ['model', uid] }),
  });
  if (m.model_source === 'local') return null;
  return (
    <Button
      variant="default"
      leftSection={<IconDownload size={16} />}
      loading={pull.isPending}
      onClick={() => pull.mutate(m.model_uid)}
      data-testid="pull-button"
    >
      Download
    </Button>
  );
}

/** One node's pre-pull: status, bytes, files, speed, the error of a failed one. */
export function PullProgressBar({ p }: { p: ModelPull }) {
  const pct = p.status === 'done' ? 100 : percent(p.bytes_done, p.bytes_total);
  return (
    <Stack gap={4} data-testid="pull-progress">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={500}>
          {p.node_id}
          <Text span c="dimmed" size="xs">
            {' '}
            · {p.status}
            {p.status === 'done' && p.cached ? ' (already cached)' : ''}
          </Text>
        </Text>
        <Text size="xs" c="dimmed" ff="monospace">
          {formatBytes(p.bytes_done)} / {formatBytes(p.bytes_total)} · {p.files_done}/{p.files_total} files
          {p.status === 'downloading' && p.speed_bps !== undefined ? ` · ${formatSpeed(p.speed_bps)}` : ''}
        </Text>
      </Group>
      <Progress
        value={pct}
        size="lg"
        radius="xl"
        color={STATUS_COLOR[p.status]}
        striped={p.status === 'downloading'}
        animated={p.status === 'downloading'}
      />
      {p.error ? (
        <Text size="xs" c="red">
          {p.error}
        </Text>
      ) : null}
    </Stack>
  );
}
