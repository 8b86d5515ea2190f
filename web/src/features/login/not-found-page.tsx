import { Button } from '@mantine/core';
import { IconMapQuestion } from '@tabler/icons-react';
import { Link } from 'react-router';
import { EmptyState } from '../../components/empty-state.tsx';

export function NotFoundPage() {
  return (
    <EmptyState
      icon={<IconMapQuestion size={28} />}
      title="Page not found"
      description="This address does not match any page of the console."
      action={
        <Button component={Link} to="/" variant="light" mt="sm">
          Back to the overview
        </Button>
      }
    />
  );
}
