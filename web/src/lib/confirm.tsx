import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import type { ReactNode } from 'react';

/**
 * Asks before a destructive action: a title, what will happen (a string becomes a small paragraph), and a
 * red (or `color`) confirm button named for the action.
 */
export function confirmAction({
  title,
  body,
  confirm,
  onConfirm,
  color = 'red',
}: {
  title: string;
  body: ReactNode;
  confirm: string;
  onConfirm: () => void;
  color?: string;
}): void {
  modals.openConfirmModal({
    title,
    children: typeof body === 'string' ? <Text size="sm">{body}</Text> : body,
    labels: { confirm, cancel: 'Cancel' },
    confirmProps: { color },
    onConfirm,
  });
}
