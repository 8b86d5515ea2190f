import { Anchor, Badge, Select, Table, Text } from '@mantine/core';
import { IconListDetails } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../auth/context.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { ListCard } from '../../components/list-card.tsx';
import { formatDateTime, formatRelative } from '../../lib/format.ts';

const LEVEL_COLOR: Record<string, string> = { info: 'blue', warning: 'orange', error: 'red' };

/** Lifecycle events of every model (scheduled, downloading, ready, crashed, ...), newest first. */
export function EventsPage() {
  const api = useApi();
  const [model, setModel] = useState<string | null>(null);
  const [level, setLevel] = useState<string | null>(null);
  const models = useQuery({ queryKey: ['models', 'names'], queryFn: () => api.models.list({ limit: 1000 }) });
  const events = useQuery({
    queryKey: ['events', model],
    queryFn: () => api.events.list(model ? { model_uid: model, limit: 300 } : { limit: 300 }),
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Events"
        description="What happened to each model, as the scheduler, nodes and server record it. Refreshes every 10 s."
      />
      <ListCard
        query={events}
        filters={
          <>
            <Select
              placeholder="All models"
              searchable
              clearable
              data={(models.data?.items ?? []).map((m) => m.model_uid)}
              value={model}
              onChange={setModel}
              w={240}
              aria-label="Model"
            />
            <Select
              placeholder="All levels"
              clearable
              data={['info', 'warning', 'error']}
              value={level}
              onChange={setLevel}
              w={160}
              aria-label="Level"
            />
          </>
        }
        select={(data) =>
          [...data.items]
            .filter((e) => !level || e.level === level)
            .sort((a, b) => b.time.localeCompare(a.time))
        }
        empty={
          <EmptyState
            icon={<IconListDetails size={28} />}
            title="No events"
            description="Events appear as models are scheduled, downloaded, started and stopped."
          />
        }
      >
        {(items) => (
          <DataTable
            minWidth={900}
            testId="events-table"
            columns={[{ label: 'Time', w: 170 }, 'Model', 'Event', 'Source', 'Message']}
          >
            {items.map((e) => (
              <Table.Tr key={`${e.model_uid}/${e.id}`}>
                <Table.Td>
                  <Text size="sm" title={formatDateTime(e.time)}>
                    {formatRelative(e.time)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/models/${e.model_uid}`} size="sm">
                    {e.model_uid}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge color={LEVEL_COLOR[e.level] ?? 'gray'} variant="light" radius="sm">
                    {e.type}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {e.source}
                    {e.node_id ? ` · ${e.node_id}` : ''}
                    {e.replica_id !== undefined ? ` #${e.replica_id}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{e.message}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </ListCard>
    </>
  );
}
