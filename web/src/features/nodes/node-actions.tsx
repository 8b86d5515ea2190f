import { Button, Group, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconArrowBarDown, IconLock, IconLockOpen } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { NodeView } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { notifyError, notifySuccess } from '../../lib/notify.ts';

type Action = 'cordon' | 'uncordon' | 'drain';

/** Cordon / uncordon / drain for operators; drain asks first (its replicas move elsewhere). */
export function NodeActions({ node, size = 'xs' }: { node: NodeView; size?: 'xs' | 'sm' }) {
  const api = useApi();
  const qc = useQueryClient();
  const { canOperate } = usePermissions();
  const run = useMutation({
    mutationFn: (a: Action) => api.nodes[a](node.node_id),
    onSuccess: (_d, a) =>
      notifySuccess(
        `${node.node_id}: ${a === 'drain' ? 'draining' : a === 'cordon' ? 'cordoned' : 'uncordoned'}`,
      ),
    onError: (e) => notifyError(e),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['nodes'] });
      void qc.invalidateQueries({ queryKey: ['node', node.node_id] });
    },
  });
  if (!canOperate) return null;
  const drain = () =>
    modals.openConfirmModal({
      title: `Drain ${node.node_id}?`,
      children: (
        <Text size="sm">
          The node is cordoned and the scheduler moves its {node.replicas} replica(s) to other nodes. Requests
          to those replicas may fail while they move.
        </Text>
      ),
      labels: { confirm: 'Drain node', cancel: 'Cancel' },
      confirmProps: { color: 'orange' },
      onConfirm: () => run.mutate('drain'),
    });
  return (
    <Group gap={6} wrap="nowrap">
      {node.cordoned ? (
        <Button
          size={size}
          variant="default"
          leftSection={<IconLockOpen size={14} />}
          onClick={() => run.mutate('uncordon')}
          loading={run.isPending && run.variables === 'uncordon'}
        >
          Uncordon
        </Button>
      ) : (
        <Button
          size={size}
          variant="default"
          leftSection={<IconLock size={14} />}
          onClick={() => run.mutate('cordon')}
          loading={run.isPending && run.variables === 'cordon'}
        >
          Cordon
        </Button>
      )}
      {!node.draining ? (
        <Button
          size={size}
          variant="light"
          color="orange"
          leftSection={<IconArrowBarDown size={14} />}
          onClick={drain}
          loading={run.isPending && run.variables === 'drain'}
        >
          Drain
        </Button>
      ) : null}
    </Group>
  );
}
