import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { modals } from '@mantine/modals';
import { IconPlus, IconTrash, IconUsers } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/errors.ts';
import type { Role, UserView } from '../../api/types.ts';
import { useApi, useSession } from '../../auth/context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { QueryBoundary } from '../../components/query-boundary.tsx';
import { formatRelative } from '../../lib/format.ts';
import { notifyError, notifySuccess } from '../../lib/notify.ts';

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
          {create.isError ? <Alert color="red">{errorMessage(create.error)}</Alert> : null}
          <TextInput label="Username" withAsterisk autoComplete="off" {...form.getInputProps('username')} />
          <PasswordInput
            label="Password"
            withAsterisk
            autoComplete="new-password"
            {...form.getInputProps('password')}
          />
          <Select label="Role" data={ROLES} allowDeselect={false} {...form.getInputProps('role')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Console and API users: create, change role, disable, delete. Admins only. */
export function UsersPage() {
  const api = useApi();
  const qc = useQueryClient();
  const me = useSession();
  const [createOpen, setCreateOpen] = useState(false);
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.users.list() });
  const invalidate = () => void qc.invalidateQueries({ queryKey: ['users'] });
  const update = useMutation({
    mutationFn: (v: { username: string; role?: Role; disabled?: boolean }) =>
      api.users.update(v.username, {
        ...(v.role ? { role: v.role } : {}),
        ...(v.disabled !== undefined ? { disabled: v.disabled } : {}),
      }),
    onSuccess: (u) => notifySuccess(`${u.username} updated`),
    onError: (e) => notifyError(e, 'Update failed'),
    onSettled: invalidate,
  });
  const remove = useMutation({
    mutationFn: (u: UserView) => api.users.delete(u.username),
    onSuccess: (_d, u) => notifySuccess(`${u.username} deleted`),
    onError: (e) => notifyError(e, 'Delete failed'),
    onSettled: invalidate,
  });
  const confirmRemove = (u: UserView) =>
    modals.openConfirmModal({
      title: `Delete user ${u.username}?`,
      children: <Text size="sm">They can no longer log in. Their API keys stop working.</Text>,
      labels: { confirm: 'Delete user', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => remove.mutate(u),
    });
  return (
    <>
      <PageHeader
        title="Users"
        description="People who log in to the console and the API, and their roles."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreateOpen(true)}>
            New user
          </Button>
        }
      />
      <Card withBorder radius="md" padding="md">
        <QueryBoundary query={users}>
          {(data) =>
            data.items.length === 0 ? (
              <EmptyState icon={<IconUsers size={28} />} title="No users" />
            ) : (
              <Table data-testid="users-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Enabled</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((u) => {
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
                            <Tooltip label="Delete user">
                              <ActionIcon
                                variant="subtle"
                                color="red"
                                onClick={() => confirmRemove(u)}
                                aria-label={`Delete ${u.username}`}
                              >
                                <IconTrash size={18} />
                              </ActionIcon>
                            </Tooltip>
                          ) : null}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            )
          }
        </QueryBoundary>
      </Card>
      <CreateUserModal opened={createOpen} onClose={() => setCreateOpen(false)} />
    </>
  );
}
