import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy, IconGauge, IconKey, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiKeyView, CreatedApiKey, Role } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { FormActions, MutationError } from '../../components/form-actions.tsx';
import { CreateButton, PageHeader } from '../../components/page-header.tsx';
import { ListCard } from '../../components/list-card.tsx';
import { RowAction } from '../../components/row-action.tsx';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import { notifySuccess } from '../../lib/notify.ts';
import { useConfirmedAction } from '../../lib/use-action.ts';
import { ROLES } from './users-page.tsx';

/** A key's status from its dates (pure). */
export function keyStatus(
  k: Pick<ApiKeyView, 'revoked_at' | 'expires_at'>,
  now: number = Date.now(),
): 'active' | 'revoked' | 'expired' {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && Date.parse(k.expires_at) <= now) return 'expired';
  return 'active';
}

const STATUS_COLOR = { active: 'teal', revoked: 'gray', expired: 'orange' } as const;

/** A stored rate (`{ rps, burst }`) as people write it: per second, minute or hour, whichever is whole. */
export function rateText(r: ApiKeyView['rate_limit']): string {
  if (!r) return 'default';
  const per = (
    [
      ['s', 1],
      ['min', 60],
      ['h', 3600],
    ] as const
  ).find(([, n]) => Number.isInteger(+(r.rps * n).toFixed(6)));
  const [unit, n] = per ?? ['h', 3600];
  return `${+(r.rps * n).toFixed(6)}/${unit}${r.burst !== undefined ? `:burst=${r.burst}` : ''}`;
}

const RATE_HELP = 'Router limit for this key, e.g. 60/min or 10/s:burst=20; empty for the router default';

/** Sets or clears a key's rate limit (the routers apply it within seconds). */
function RateLimitModal({ apiKey, onClose }: { apiKey: ApiKeyView | null; onClose: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const [rate, setRate] = useState('');
  const save = useMutation({
    mutationFn: (k: ApiKeyView) =>
      api.keys.update(k.id, { rate_limit: rate.trim() === '' ? null : rate.trim() }),
    onSuccess: (k) => {
      notifySuccess(`Rate limit of ${k.name}: ${rateText(k.rate_limit)}`);
      void qc.invalidateQueries({ queryKey: ['api-keys'] });
      onClose();
    },
  });
  return (
    <Modal opened={apiKey !== null} onClose={onClose} title="Rate limit" centered>
      {apiKey ? (
        <Stack>
          <MutationError mutation={save} />
          <TextInput
            label="Rate limit"
            description={RATE_HELP}
            placeholder={rateText(apiKey.rate_limit)}
            value={rate}
            onChange={(e) => setRate(e.currentTarget.value)}
          />
          <FormActions
            onCancel={onClose}
            submitLabel="Save"
            onSubmit={() => save.mutate(apiKey)}
            loading={save.isPending}
          />
        </Stack>
      ) : null}
    </Modal>
  );
}

function CreateKeyModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (k: CreatedApiKey) => void;
}) {
  const api = useApi();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [expires, setExpires] = useState<string>('90d');
  const [rate, setRate] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api.keys.create({
        name: name.trim(),
        role,
        ...(expires !== 'never' ? { expires_in: expires } : {}),
        ...(rate.trim() !== '' ? { rate_limit: rate.trim() } : {}),
      }),
    onSuccess: (k) => {
      setName('');
      onCreated(k);
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="New API key" centered>
      <Stack>
        <MutationError mutation={create} />
        <TextInput
          label="Name"
          description="What the key is for, e.g. ci-pipeline"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          withAsterisk
        />
        <Select
          label="Role"
          data={ROLES}
          value={role}
          onChange={(v) => v && setRole(v as Role)}
          allowDeselect={false}
        />
        <Select
          label="Expires"
          data={[
            { value: '30d', label: 'in 30 days' },
            { value: '90d', label: 'in 90 days' },
            { value: '365d', label: 'in a year' },
            { value: 'never', label: 'never' },
          ]}
          value={expires}
          onChange={(v) => v && setExpires(v)}
          allowDeselect={false}
        />
        <TextInput
          label="Rate limit"
          description={RATE_HELP}
          placeholder="router default"
          value={rate}
          onChange={(e) => setRate(e.currentTarget.value)}
        />
        <FormActions
          onCancel={onClose}
          submitLabel="Create key"
          onSubmit={() => create.mutate()}
          disabled={!name.trim()}
          loading={create.isPending}
        />
      </Stack>
    </Modal>
  );
}

/** Shows a new key's secret, once: the server keeps only its hash. */
function SecretModal({ created, onClose }: { created: CreatedApiKey | null; onClose: () => void }) {
  return (
    <Modal
      opened={created !== null}
      onClose={onClose}
      title="Copy your new API key"
      centered
      size="lg"
      closeOnClickOutside={false}
    >
      {created ? (
        <Stack>
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
            This is the only time the key is shown. Store it somewhere safe now; Nebula keeps only its hash.
          </Alert>
          <Group gap="xs" wrap="nowrap">
            <Code block style={{ flex: 1, wordBreak: 'break-all' }} data-testid="new-key-secret">
              {created.key}
            </Code>
            <CopyButton value={created.key}>
              {({ copied, copy }) => (
                <Button
                  color={copied ? 'teal' : 'violet'}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  onClick={copy}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Text size="sm" c="dimmed">
            Use it as <Code>Authorization: Bearer …</Code> with the API and the router, or{' '}
            <Code>nebula --token</Code> with the CLI.
          </Text>
          <Group justify="flex-end">
            <Button onClick={onClose}>I have stored the key</Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}

/** API keys of every user: create (secret shown once, with a copy button), revoke. Admins only. */
export function ApiKeysPage() {
  const api = useApi();
  const qc = useQueryClient();
  const [createOpen, setCreateOpen] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [showInactive, setShowInactive] = useState(false);
  const [limiting, setLimiting] = useState<ApiKeyView | null>(null);
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => api.keys.list({ all: true }) });
  const confirmRevoke = useConfirmedAction({
    mutationFn: (k: ApiKeyView) => api.keys.revoke(k.id),
    success: (_d, k) => `Key ${k.name} revoked`,
    failure: 'Revoke failed',
    invalidate: [['api-keys']],
    ask: (k) => ({
      title: `Revoke key "${k.name}"?`,
      body: `Every client using ${k.prefix}… is refused from now on. This cannot be undone.`,
      confirm: 'Revoke key',
    }),
  });
  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for the CLI, scripts and OpenAI clients. The secret is shown once, at creation."
        actions={<CreateButton label="New key" onClick={() => setCreateOpen(true)} />}
      />
      <ListCard
        query={keys}
        filters={
          <>
            <Switch
              label="Show revoked and expired keys"
              checked={showInactive}
              onChange={(e) => setShowInactive(e.currentTarget.checked)}
            />
          </>
        }
        select={(data) => data.items.filter((k) => showInactive || keyStatus(k) === 'active')}
        empty={
          <EmptyState
            icon={<IconKey size={28} />}
            title="No API keys"
            description="Create one for the CLI or an application."
          />
        }
      >
        {(items) => (
          <DataTable
            minWidth={900}
            testId="keys-table"
            columns={[
              'Name',
              'Key',
              'Role',
              'Owner',
              'Created',
              'Expires',
              'Last used',
              'Rate limit',
              'Status',
              '',
            ]}
          >
            {items.map((k) => {
              const status = keyStatus(k);
              return (
                <Table.Tr key={k.id}>
                  <Table.Td fw={600}>{k.name}</Table.Td>
                  <Table.Td ff="monospace">{k.prefix}…</Table.Td>
                  <Table.Td>
                    <Badge variant="light" radius="sm">
                      {k.role}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{k.owner}</Table.Td>
                  <Table.Td title={formatDateTime(k.created_at)}>{formatRelative(k.created_at)}</Table.Td>
                  <Table.Td>{k.expires_at ? formatDateTime(k.expires_at) : 'never'}</Table.Td>
                  <Table.Td>{formatRelative(k.last_used_at)}</Table.Td>
                  <Table.Td ff="monospace" data-testid={`rate-${k.id}`}>
                    {rateText(k.rate_limit)}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[status]} variant="light">
                      {status}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">
                    {status === 'active' ? (
                      <>
                        <RowAction
                          tooltip="Rate limit"
                          label={`Rate limit of ${k.name}`}
                          icon={<IconGauge size={18} />}
                          onClick={() => setLimiting(k)}
                        />
                        <RowAction
                          tooltip="Revoke"
                          label={`Revoke ${k.name}`}
                          color="red"
                          icon={<IconTrash size={18} />}
                          onClick={() => confirmRevoke(k)}
                        />
                      </>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </DataTable>
        )}
      </ListCard>
      <CreateKeyModal
        opened={createOpen}
        onClose={() => setCreateOpen(false)}
        onCreated={(k) => {
          setCreateOpen(false);
          setCreated(k);
          void qc.invalidateQueries({ queryKey: ['api-keys'] });
        }}
      />
      <SecretModal created={created} onClose={() => setCreated(null)} />
      <RateLimitModal key={limiting?.id ?? 'none'} apiKey={limiting} onClose={() => setLimiting(null)} />
    </>
  );
}
