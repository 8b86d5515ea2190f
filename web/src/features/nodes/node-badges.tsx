import { Badge, Group } from '@mantine/core';
import type { NodeView } from '../../api/types.ts';

/** Online / offline, cordoned, draining and alert badges of a node. */
export function NodeBadges({ node }: { node: NodeView }) {
  const worst = node.alerts.some((a) => a.level === 'critical')
    ? 'critical'
    : node.alerts.length
      ? 'warning'
      : null;
  return (
    <Group gap={6}>
      <Badge color={node.online ? 'teal' : 'red'} variant="light" leftSection={<span className="nb-dot" />}>
        {node.online ? 'online' : 'offline'}
      </Badge>
      {node.cordoned ? (
        <Badge color="yellow" variant="light">
          cordoned
        </Badge>
      ) : null}
      {node.draining ? (
        <Badge color="orange" variant="light">
          draining
        </Badge>
      ) : null}
      {worst ? <Badge color={worst === 'critical' ? 'red' : 'orange'}>disk {worst}</Badge> : null}
      {node.gpu_source === 'simulated' ? (
        <Badge color="gray" variant="outline">
          simulated GPUs
        </Badge>
      ) : null}
    </Group>
  );
}
