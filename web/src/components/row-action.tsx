import { ActionIcon, Tooltip, type MantineColor } from '@mantine/core';
import type { ReactElement, ReactNode } from 'react';

/**
 * A tooltip on a control that may be disabled. A disabled button gets no pointer events, so it is wrapped
 * in a span that carries the tooltip (the tooltip then says why it is disabled).
 */
export function Tip({
  label,
  disabled,
  children,
}: {
  label: string;
  disabled?: boolean;
  children: ReactElement;
}) {
  return <Tooltip label={label}>{disabled ? <span>{children}</span> : children}</Tooltip>;
}

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
  return (
    <Tip label={tooltip} {...(disabled !== undefined ? { disabled } : {})}>
      {button}
    </Tip>
  );
}
