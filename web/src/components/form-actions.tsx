import { Alert, Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/errors.ts';

/**
 * The foot of every dialog form: Cancel, then the primary button. Without `onSubmit` the primary button
 * submits the surrounding form.
 */
export function FormActions({
  onCancel,
  submitLabel,
  onSubmit,
  loading,
  disabled,
}: {
  onCancel: () => void;
  submitLabel: ReactNode;
  onSubmit?: () => void;
  loading?: boolean;
  disabled?: boolean;
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button
        {...(onSubmit ? { onClick: onSubmit } : { type: 'submit' as const })}
        loading={loading ?? false}
        {...(disabled !== undefined ? { disabled } : {})}
      >
        {submitLabel}
      </Button>
    </Group>
  );
}

/** A failed dialog action: the server's message in a red alert (nothing while it has not failed). */
export function MutationError({
  mutation,
  title,
}: {
  mutation: { isError: boolean; error: unknown };
  title?: string;
}) {
  if (!mutation.isError) return null;
  return title ? (
    <Alert color="red" variant="light" title={title}>
      {errorMessage(mutation.error)}
    </Alert>
  ) : (
    <Alert color="red">{errorMessage(mutation.error)}</Alert>
  );
}
