import { ActionIcon, Tooltip, type MantineColor } from '@mantine/core';
import type { ReactNode } from 'react';

/** An icon button with a tooltip: the actions at the end of a table row. */
export function RowAction({
  tooltip,
  label,
  icon,
  onClick,
  color,
  loading,
  disabled,
}: {
  /** What the tooltip says. */
  tooltip: string;
  /** The accessible name (usually the action and the row's name). */
  label: string;
  icon: ReactNode;
  onClick?: () => void;
  color?: MantineColor;
  loading?: boolean;
  disabled?: boolean;
}) {
  const button = (
    <ActionIcon
      variant="subtle"
      {...(color ? { color } : {})}
      {...(onClick ? { onClick } : {})}
      {...(loading !== undefined ? { loading } : {})}
      {...(disabled !== undefined ? { disabled } : {})}
      aria-label={label}
    >
      {icon}
    </ActionIcon>
  );
  // A disabled button gets no pointer events: a wrapper carries the tooltip that says why it is disabled.
  return <Tooltip label={tooltip}>{disabled ? <span>{button}</span> : button}</Tooltip>;
}
