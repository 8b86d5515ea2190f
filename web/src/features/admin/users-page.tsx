import {
  Badge,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconTrash, IconUsers } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Role, UserView } from '../../api/types.ts';
import { useApi, useSession } from '../../auth/context.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { FormActions, MutationError } from '../../components/form-actions.tsx';
import { CreateButton, PageHeader } from '../../components/page-header.tsx';
import { ListCard } from '../../components/list-card.tsx';
import { RowAction } from '../../components/row-action.tsx';
import { formatRelative } from '../../lib/format.ts';
import { notifySuccess } from '../../lib/notify.ts';
import { useAction, useConfirmedAction } from '../../lib/use-action.ts';

export const ROLES: { value: Role; label: string }[] = [
  { value: 'viewer', label: 'Viewer: read only' },
  { value: 'operator', label: 'Operator: run models' },
  { value: 'admin', label: 'Admin: everything' },
];

function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const form = useForm({
    initialValues: { username: '', password: '', role: 'viewer' as Role },
    validate: {
      username: (v) =>
        /^[a-z][a-z0-9._-]{1,31}$/.test(v)
          ? null
          : '2-32 lowercase letters, digits, ".", "_" or "-", starting with a letter',
      password: (v) => (v.length >= 8 ? null : 'At least 8 characters'),
    },
  });
  const create = useMutation({
    mutationFn: (v: { username: string; password: string; role: Role }) => api.users.create(v),
    onSuccess: (u) => {
      void qc.invalidateQueries({ queryKey: ['users'] });
      notifySuccess(`User ${u.username} created`);
      form.reset();
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="New user" centered>
      <form onSubmit={form.onSubmit((v) => create.mutate(v))}>
        <Stack>
          <MutationError mutation={create} />
          <TextInput label="Username" withAsterisk autoComplete="off" {...form.getInputProps('username')} />
          <PasswordInput
            label="Password"
            withAsterisk
            autoComplete="new-password"
            {...form.getInputProps('password')}
          />
          <Select label="Role" data={ROLES} allowDeselect={false} {...form.getInputProps('role')} />
          <FormActions onCancel={onClose} submitLabel="Create user" loading={create.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Console and API users: create, change role, disable, delete. Admins only. */
export function UsersPage() {
  const api = useApi();
  const me = useSession();
  const [createOpen, setCreateOpen] = useState(false);
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.users.list() });
  const update = useAction({
    mutationFn: (v: { username: string; role?: Role; disabled?: boolean }) =>
      api.users.update(v.username, {
        ...(v.role ? { role: v.role } : {}),
        ...(v.disabled !== undefined ? { disabled: v.disabled } : {}),
      }),
    success: (u) => `${u.username} updated`,
    failure: 'Update failed',
    invalidate: [['users']],
  });
  const confirmRemove = useConfirmedAction({
    mutationFn: (u: UserView) => api.users.delete(u.username),
    success: (_d, u) => `${u.username} deleted`,
    failure: 'Delete failed',
    invalidate: [['users']],
    ask: (u) => ({
      title: `Delete user ${u.username}?`,
      body: 'They can no longer log in. Their API keys stop working.',
      confirm: 'Delete user',
    }),
  });
  return (
    <>
      <PageHeader
        title="Users"
        description="People who log in to the console and the API, and their roles."
        actions={<CreateButton label="New user" onClick={() => setCreateOpen(true)} />}
      />
      <ListCard
        query={users}
        select={(data) => data.items}
        empty={<EmptyState icon={<IconUsers size={28} />} title="No users" />}
      >
        {(items) => (
          <DataTable testId="users-table" columns={['User', 'Role', 'Enabled', 'Created', '']}>
            {items.map((u) => {
              const self = u.username === me?.username;
              return (
                <Table.Tr key={u.username} data-testid={`user-row-${u.username}`}>
                  <Table.Td>
                    <Group gap={6}>
                      <Text size="sm" fw={600}>
                        {u.username}
                      </Text>
                      {self ? (
                        <Badge size="xs" variant="light">
                          you
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      w={200}
                      data={ROLES}
                      value={u.role}
                      allowDeselect={false}
                      disabled={self}
                      onChange={(v) =>
                        v && v !== u.role && update.mutate({ username: u.username, role: v as Role })
                      }
                      aria-label={`Role of ${u.username}`}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      checked={!u.disabled}
                      disabled={self}
                      onChange={(e) =>
                        update.mutate({ username: u.username, disabled: !e.currentTarget.checked })
                      }
                      aria-label={`Enable ${u.username}`}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {formatRelative(u.created_at)}
                      {u.created_by ? ` by ${u.created_by}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    {!self ? (
                      <RowAction
                        tooltip="Delete user"
                        label={`Delete ${u.username}`}
                        color="red"
                        icon={<IconTrash size={18} />}
                        onClick={() => confirmRemove(u)}
                      />
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </DataTable>
        )}
      </ListCard>
      <CreateUserModal opened={createOpen} onClose={() => setCreateOpen(false)} />
    </>
  );
}
