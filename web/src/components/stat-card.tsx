import { Card, Group, Text, ThemeIcon } from '@mantine/core';
import type { ReactNode } from 'react';

/** A headline number with a label, an icon and an optional footer (bars, breakdowns). */
export function StatCard({
  label,
  value,
  icon,
  color = 'violet',
  footer,
  testId,
}: {
  label: string;
  value: ReactNode;
  icon: ReactNode;
  color?: string;
  footer?: ReactNode;
  testId?: string;
}) {
  return (
    <Card withBorder padding="lg" radius="md" data-testid={testId}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div>
          <Text size="xs" tt="uppercase" fw={700} c="dimmed" style={{ letterSpacing: 0.5 }}>
            {label}
          </Text>
          <Text fw={700} fz={28} lh={1.2} mt={4}>
            {value}
          </Text>
        </div>
        <ThemeIcon size={40} radius="md" variant="light" color={color}>
          {icon}
        </ThemeIcon>
      </Group>
      {footer ? <div style={{ marginTop: 12 }}>{footer}</div> : null}
    </Card>
  );
}
