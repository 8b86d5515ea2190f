import { Group, Progress, Text, Tooltip } from '@mantine/core';
import { formatBytes, percent } from '../lib/format.ts';

/** Warning and critical thresholds of usage bars (the node's disk alerts use the same). */
export function usageColor(pct: number): string {
  return pct >= 95 ? 'red' : pct >= 85 ? 'orange' : 'teal';
}

/**
 * Memory or disk usage as a bar: used (colored by threshold) and, for GPUs, memory the scheduler reserved
 * beyond what is in use yet.
 */
export function UsageBar({
  used,
  total,
  reserved,
  label,
  size = 'md',
}: {
  used: number;
  total: number;
  reserved?: number;
  label?: string;
  size?: 'sm' | 'md' | 'lg';
}) {
  const usedPct = percent(used, total);
  const reservedPct = reserved !== undefined ? Math.max(0, percent(reserved, total) - usedPct) : 0;
  return (
    <div>
      <Group justify="space-between" mb={4} gap="xs" wrap="nowrap">
        {label ? (
          <Text size="xs" c="dimmed" truncate>
            {label}
          </Text>
        ) : (
          <span />
        )}
        <Text size="xs" ff="monospace" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatBytes(used)} / {formatBytes(total)} · {usedPct.toFixed(0)}%
        </Text>
      </Group>
      <Progress.Root size={size} radius="xl">
        <Tooltip label={`In use: ${formatBytes(used)}`}>
          <Progress.Section value={usedPct} color={usageColor(usedPct)} />
        </Tooltip>
        {reservedPct > 0 ? (
          <Tooltip label={`Reserved by placements: ${formatBytes(reserved ?? 0)}`}>
            <Progress.Section value={reservedPct} color="indigo" striped />
          </Tooltip>
        ) : null}
      </Progress.Root>
    </div>
  );
}
