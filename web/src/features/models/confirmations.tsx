import { Checkbox, Stack, Text } from '@mantine/core';
import { confirmAction } from '../../lib/confirm.tsx';

/** Asks before stopping: replicas go away and traffic to the model fails until it starts again. */
export function confirmStop(uid: string, onConfirm: () => void): void {
  confirmAction({
    title: `Stop ${uid}?`,
    body: 'Its replicas shut down and requests to this model fail until it is started again. The configuration is kept.',
    confirm: 'Stop model',
    color: 'orange',
    onConfirm,
  });
}

/** Asks before deleting, with the option to purge the model's cached files from the nodes. */
export function confirmDelete(uid: string, modelName: string, onConfirm: (purge: boolean) => void): void {
  let purge = false;
  confirmAction({
    title: `Delete ${uid}?`,
    body: (
      <Stack gap="sm">
        <Text size="sm">
          This removes the model's spec and deployment and stops its replicas. It cannot be undone.
        </Text>
        <Checkbox
          label={`Also delete the cached files of ${modelName} from every node`}
          description="Nodes refuse to delete files another running model still uses."
          onChange={(e) => {
            purge = e.currentTarget.checked;
          }}
        />
      </Stack>
    ),
    confirm: 'Delete model',
    onConfirm: () => onConfirm(purge),
  });
}
