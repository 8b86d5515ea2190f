import { Card, Group, SimpleGrid, Skeleton, Stack } from '@mantine/core';

/** Placeholder rows while a table loads. */
export function TableSkeleton({ rows = 5 }: { rows?: number }) {
  return (
    <Stack gap="sm" data-testid="loading" py="xs">
      <Skeleton height={28} radius="sm" />
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={36} radius="sm" opacity={1 - i * 0.12} />
      ))}
    </Stack>
  );
}

/** Placeholder stat cards while an overview loads. */
export function CardsSkeleton({ count = 4, height = 110 }: { count?: number; height?: number }) {
  return (
    <SimpleGrid cols={{ base: 2, lg: count }} data-testid="loading">
      {Array.from({ length: count }, (_, i) => (
        <Card key={i} withBorder padding="lg" radius="md">
          <Stack gap="sm">
            <Skeleton height={12} width="40%" />
            <Skeleton height={28} width="60%" />
            <Group>
              <Skeleton height={8} width="80%" />
            </Group>
            <Skeleton height={Math.max(0, height - 80)} />
          </Stack>
        </Card>
      ))}
    </SimpleGrid>
  );
}
