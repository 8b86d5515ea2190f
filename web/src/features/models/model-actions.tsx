import { Button, Group } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconArrowsVertical, IconPlayerPlay, IconPlayerStop, IconTrash } from '@tabler/icons-react';
import type { ModelView } from '../../api/types.ts';
import { usePermissions } from '../../auth/context.tsx';
import { RowAction, Tip } from '../../components/row-action.tsx';
import { isActive } from '../../lib/states.ts';
import { confirmDelete, confirmStop } from './confirmations.tsx';
import { ScaleModal } from './scale-modal.tsx';
import { useModelActions } from './use-model-actions.ts';

/**
 * Start / stop / scale / delete for one model, shown only to roles that may use them (operators start,
 * stop and scale; admins also delete). `compact` renders icon buttons for table rows. Scale is disabled
 * while an autoscaling policy sets the count (the server would answer 409 AUTOSCALED), saying so.
 */
export function ModelActions({
  model,
  compact = false,
  onDeleted,
}: {
  model: ModelView;
  compact?: boolean;
  onDeleted?: () => void;
}) {
  const { canOperate, isAdmin } = usePermissions();
  const actions = useModelActions();
  const [scaleOpen, scale] = useDisclosure(false);
  if (!canOperate) return null;
  const uid = model.model_uid;
  const running = model.desired_state === 'running' && isActive(model.state);
  const busy = actions.start.isPending || actions.stop.isPending;
  const policy = model.deployment?.autoscaling;
  const scaleTip = policy
    ? `Autoscaled (${policy.min_replicas}-${policy.max_replicas} replicas): change the autoscaling policy instead`
    : 'Scale';

  const onStart = () => actions.start.mutate(uid);
  const onStop = () => confirmStop(uid, () => actions.stop.mutate(uid));
  const onDelete = () =>
    confirmDelete(uid, model.model_name, (purge) =>
      actions.remove.mutate({ uid, purge }, { onSuccess: () => onDeleted?.() }),
    );
  const modal = (
    <ScaleModal
      uid={uid}
      current={model.desired_replicas}
      opened={scaleOpen}
      onClose={scale.close}
      busy={actions.scale.isPending}
      onSubmit={(replicas) => actions.scale.mutate({ uid, replicas }, { onSuccess: scale.close })}
    />
  );

  const scaleButton = (
    <Button
      leftSection={<IconArrowsVertical size={16} />}
      variant="default"
      onClick={scale.open}
      disabled={policy !== undefined}
    >
      Scale
    </Button>
  );

  if (compact) {
    return (
      <Group gap={4} wrap="nowrap" justify="flex-end" onClick={(e) => e.stopPropagation()}>
        {running ? (
          <RowAction
            tooltip="Stop"
            label={`Stop ${uid}`}
            color="orange"
            icon={<IconPlayerStop size={18} />}
            onClick={onStop}
            loading={actions.stop.isPending}
          />
        ) : (
          <RowAction
            tooltip="Start"
            label={`Start ${uid}`}
            color="teal"
            icon={<IconPlayerPlay size={18} />}
            onClick={onStart}
            loading={actions.start.isPending}
          />
        )}
        <RowAction
          tooltip={scaleTip}
          label={`Scale ${uid}`}
          color="gray"
          icon={<IconArrowsVertical size={18} />}
          onClick={scale.open}
          disabled={policy !== undefined}
        />
        {isAdmin ? (
          <RowAction
            tooltip="Delete"
            label={`Delete ${uid}`}
            color="red"
            icon={<IconTrash size={18} />}
            onClick={onDelete}
          />
        ) : null}
        {modal}
      </Group>
    );
  }
  return (
    <Group gap="xs" wrap="nowrap">
      {running ? (
        <Button
          leftSection={<IconPlayerStop size={16} />}
          color="orange"
          variant="light"
          onClick={onStop}
          loading={actions.stop.isPending}
          disabled={busy}
        >
          Stop
        </Button>
      ) : (
        <Button
          leftSection={<IconPlayerPlay size={16} />}
          color="teal"
          onClick={onStart}
          loading={actions.start.isPending}
          disabled={busy}
        >
          Start
        </Button>
      )}
      {policy ? (
        <Tip label={scaleTip} disabled>
          {scaleButton}
        </Tip>
      ) : (
        scaleButton
      )}
      {isAdmin ? (
        <Button
          leftSection={<IconTrash size={16} />}
          color="red"
          variant="subtle"
          onClick={onDelete}
          loading={actions.remove.isPending}
        >
          Delete
        </Button>
      ) : null}
      {modal}
    </Group>
  );
}
