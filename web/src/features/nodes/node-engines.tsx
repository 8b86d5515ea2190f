import { Badge, Group, Text, Tooltip } from '@mantine/core';
import type { NodeView } from '../../api/types.ts';

/**
 * The engines a node can launch (type and version; the executable on hover) and the ones it found but
 * cannot use (red, the reason on hover). `engines` is null when the node is offline or its agent is older
 * than engine detection: the scheduler then places any engine there, which the note says.
 */
export function NodeEngines({ node }: { node: NodeView }) {
  if (!node.online) return null;
  if (node.engines === null) {
    return (
      <Text size="xs" c="dimmed" data-testid={`node-engines-${node.node_id}`}>
        Engines not reported (older node agent): any engine may be placed here.
      </Text>
    );
  }
  return (
    <Group gap={6} data-testid={`node-engines-${node.node_id}`}>
      <Text size="xs" c="dimmed">
        Engines
      </Text>
      {node.engines.map((e) => (
        <Tooltip key={e.type} label={e.path} withArrow>
          <Badge color="indigo" variant="light" tt="none" data-engine={e.type}>
            {e.type}
            {e.version ? ` ${e.version}` : ''}
          </Badge>
        </Tooltip>
      ))}
      {node.engine_errors.map((e) => (
        <Tooltip key={`${e.type}:${e.path ?? ''}`} label={e.error} withArrow multiline maw={360}>
          <Badge color="red" variant="outline" tt="none" data-engine-error={e.type}>
            {e.type} unusable
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}
