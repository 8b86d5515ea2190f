import { Alert, Button, Group, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError, errorMessage } from '../api/errors.ts';

/** A failed load: the server's message and code, and a retry button. */
export function ErrorState({
  error,
  onRetry,
  title = 'Could not load this',
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  const code = error instanceof ApiError ? error.code : undefined;
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <Alert
      color="red"
      variant="light"
      title={title}
      icon={<IconAlertTriangle size={20} />}
      data-testid="error-state"
      my="sm"
    >
      <Text size="sm">{errorMessage(error)}</Text>
      {code || requestId ? (
        <Text size="xs" c="dimmed" mt={4} ff="monospace">
          {code}
          {requestId ? ` · request ${requestId}` : ''}
        </Text>
      ) : null}
      {onRetry ? (
        <Group mt="sm">
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Retry
          </Button>
        </Group>
      ) : null}
    </Alert>
  );
}
