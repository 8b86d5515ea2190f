import { Badge, Tooltip } from '@mantine/core';
import type { AggregatedState } from '../api/types.ts';
import { STATE_COLOR, STATE_HELP } from '../lib/states.ts';

/** A model's aggregated state as a colored badge; the tooltip says what it means (and why, when known). */
export function StateBadge({
  state,
  reason,
  size = 'sm',
}: {
  state: AggregatedState;
  reason?: string | null;
  size?: 'xs' | 'sm' | 'md';
}) {
  const pulsing =
    state === 'downloading' || state === 'starting' || state === 'stopping' || state === 'updating';
  return (
    <Tooltip
      label={reason ? `${STATE_HELP[state]}: ${reason}` : STATE_HELP[state]}
      multiline
      maw={360}
      withArrow
    >
      <Badge
        color={STATE_COLOR[state]}
        variant={state === 'stopped' ? 'outline' : 'light'}
        size={size}
        radius="sm"
        data-state={state}
        leftSection={<span className={pulsing ? 'nb-dot nb-dot-pulse' : 'nb-dot'} />}
      >
        {state}
      </Badge>
    </Tooltip>
  );
}
