import { Badge, Code, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconSearch, IconShieldCheck } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../auth/context.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { ListCard } from '../../components/list-card.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useDebounced } from '../../lib/use-debounced.ts';

/** Every mutating request (and failed one) with who, what, result and request id. Admins only. */
export function AuditPage() {
  const api = useApi();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const a = useDebounced(actor.trim(), 300);
  const act = useDebounced(action.trim(), 300);
  const audit = useQuery({
    queryKey: ['audit', a, act],
    queryFn: () =>
      api.audit.list({ ...(a ? { actor: a } : {}), ...(act ? { action: act } : {}), limit: 300 }),
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, when, and whether it worked." />
      <ListCard
        query={audit}
        filters={
          <>
            <TextInput
              placeholder="Actor"
              leftSection={<IconSearch size={14} />}
              value={actor}
              onChange={(e) => setActor(e.currentTarget.value)}
              w={200}
              aria-label="Actor"
            />
            <TextInput
              placeholder="Action, e.g. model.delete"
              value={action}
              onChange={(e) => setAction(e.currentTarget.value)}
              w={240}
              aria-label="Action"
            />
          </>
        }
        select={(data) => [...data.items].sort((x, y) => y.time.localeCompare(x.time))}
        empty={
          <EmptyState
            icon={<IconShieldCheck size={28} />}
            title="No audit events"
            description="Nothing matches these filters."
          />
        }
      >
        {(items) => (
          <DataTable
            minWidth={1000}
            testId="audit-table"
            fz="sm"
            columns={['Time', 'Actor', 'Action', 'Resource', 'Result', 'Source IP', 'Request']}
          >
            {items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.time)}</Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {e.actor}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {e.role ?? 'anonymous'} · {e.auth_method}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Code>{e.action}</Code>
                </Table.Td>
                <Table.Td ff="monospace">{e.resource}</Table.Td>
                <Table.Td>
                  <Tooltip
                    label={e.details ? JSON.stringify(e.details) : `HTTP ${e.status_code}`}
                    multiline
                    maw={420}
                  >
                    <Badge color={e.result === 'success' ? 'teal' : 'red'} variant="light">
                      {e.result} {e.status_code}
                    </Badge>
                  </Tooltip>
                </Table.Td>
                <Table.Td ff="monospace">{e.source_ip}</Table.Td>
                <Table.Td>
                  <Tooltip label={e.request_id}>
                    <Text size="xs" ff="monospace">
                      {e.request_id.slice(0, 12)}
                    </Text>
                  </Tooltip>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </ListCard>
    </>
  );
}
