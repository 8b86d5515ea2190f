import { Button, Group } from '@mantine/core';
import { IconArrowBarDown, IconLock, IconLockOpen } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { NodeView } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { confirmAction } from '../../lib/confirm.tsx';
import { useAction } from '../../lib/use-action.ts';

type Action = 'cordon' | 'uncordon' | 'drain';

/** Cordon / uncordon / drain for operators; drain asks first (its replicas move elsewhere). */
export function NodeActions({ node, size = 'xs' }: { node: NodeView; size?: 'xs' | 'sm' }) {
  const api = useApi();
  const { canOperate } = usePermissions();
  const run = useAction({
    mutationFn: (a: Action) => api.nodes[a](node.node_id),
    success: (_d, a) =>
      `${node.node_id}: ${a === 'drain' ? 'draining' : a === 'cordon' ? 'cordoned' : 'uncordoned'}`,
    invalidate: [['nodes'], ['node', node.node_id]],
  });
  if (!canOperate) return null;
  const drain = () =>
    confirmAction({
      title: `Drain ${node.node_id}?`,
      body: `The node is cordoned and the scheduler moves its ${node.replicas} replica(s) to other nodes. Requests to those replicas may fail while they move.`,
      confirm: 'Drain node',
      color: 'orange',
      onConfirm: () => run.mutate('drain'),
    });
  const button = (action: Action, icon: ReactNode, label: string) => (
    <Button
      size={size}
      variant="default"
      leftSection={icon}
      onClick={() => run.mutate(action)}
      loading={run.isPending && run.variables === action}
    >
      {label}
    </Button>
  );
  return (
    <Group gap={6} wrap="nowrap">
      {node.cordoned
        ? button('uncordon', <IconLockOpen size={14} />, 'Uncordon')
        : button('cordon', <IconLock size={14} />, 'Cordon')}
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
