import { Button } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ModelDetailView, ModelPull } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { formatSpeed } from '../../lib/format.ts';
import { notifyError, notifySuccess } from '../../lib/notify.ts';
import { TransferBar } from './download-bar.tsx';

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
  return (
    <TransferBar
      testId="pull-progress"
      title={p.node_id}
      state={p.status}
      note={p.status === 'done' && p.cached ? ' (already cached)' : ''}
      p={p}
      rates={p.status === 'downloading' && p.speed_bps !== undefined ? [formatSpeed(p.speed_bps)] : []}
      done={p.status === 'done'}
      active={p.status === 'downloading'}
      color={STATUS_COLOR[p.status]}
    />
  );
}
