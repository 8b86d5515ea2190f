import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  SegmentedControl,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconLock, IconPencil, IconPlus, IconRocket, IconTemplate, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { TemplateView } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { QueryBoundary } from '../../components/query-boundary.tsx';
import { formatRelative } from '../../lib/format.ts';
import { notifyError, notifySuccess } from '../../lib/notify.ts';
import { ENGINE_LABEL, SOURCE_LABEL } from '../../lib/states.ts';
import { DeployModal } from './deploy-modal.tsx';
import { TemplateFormModal } from './template-form.tsx';

/** Presets to deploy models from. System templates ship with Nebula and are read-only. */
export function TemplatesPage() {
  const api = useApi();
  const qc = useQueryClient();
  const { canOperate } = usePermissions();
  const templates = useQuery({ queryKey: ['templates'], queryFn: () => api.templates.list() });
  const [filter, setFilter] = useState('all');
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<TemplateView | null>(null);
  const [deploying, setDeploying] = useState<TemplateView | null>(null);
  const remove = useMutation({
    mutationFn: (t: TemplateView) => api.templates.delete(t.template_id),
    onSuccess: (_d, t) => notifySuccess(`Template "${t.name}" deleted`),
    onError: (e) => notifyError(e, 'Delete failed'),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['templates'] }),
  });
  const confirmRemove = (t: TemplateView) =>
    modals.openConfirmModal({
      title: `Delete template "${t.name}"?`,
      children: <Text size="sm">Models deployed from it keep running; only the template goes away.</Text>,
      labels: { confirm: 'Delete template', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => remove.mutate(t),
    });

  return (
    <>
      <PageHeader
        title="Templates"
        description="Ready-made model configurations: deploy one in a click, or save a running model as a template."
        actions={
          canOperate ? (
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => {
                setEditing(null);
                setFormOpen(true);
              }}
            >
              New template
            </Button>
          ) : null
        }
      />
      <Card withBorder radius="md" padding="md">
        <Group mb="md">
          <SegmentedControl
            value={filter}
            onChange={setFilter}
            data={[
              { value: 'all', label: 'All' },
              { value: 'system', label: 'System' },
              { value: 'user', label: 'User' },
            ]}
          />
        </Group>
        <QueryBoundary query={templates}>
          {(data) => {
            const items = data.items.filter((t) => filter === 'all' || t.source === filter);
            if (items.length === 0) {
              return (
                <EmptyState
                  icon={<IconTemplate size={28} />}
                  title="No templates"
                  description={
                    canOperate
                      ? 'Create one, or save a model as a template from its page.'
                      : 'Nothing to show yet.'
                  }
                />
              );
            }
            return (
              <Table.ScrollContainer minWidth={900}>
                <Table data-testid="templates-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Category</Table.Th>
                      <Table.Th>Model</Table.Th>
                      <Table.Th>Engine</Table.Th>
                      <Table.Th>Replicas</Table.Th>
                      <Table.Th>Updated</Table.Th>
                      {canOperate ? <Table.Th ta="right">Actions</Table.Th> : null}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((t) => (
                      <Table.Tr key={t.template_id}>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap">
                            <Text size="sm" fw={600}>
                              {t.name}
                            </Text>
                            <Tooltip
                              label={
                                t.source === 'system' ? 'Ships with Nebula (read-only)' : 'Created by a user'
                              }
                            >
                              <Badge
                                size="xs"
                                variant="outline"
                                radius="sm"
                                color={t.source === 'system' ? 'gray' : 'violet'}
                                leftSection={t.source === 'system' ? <IconLock size={10} /> : undefined}
                                style={{ minWidth: 'max-content' }}
                              >
                                {t.source}
                              </Badge>
                            </Tooltip>
                          </Group>
                          {t.description ? (
                            <Text size="xs" c="dimmed" lineClamp={1} maw={320}>
                              {t.description}
                            </Text>
                          ) : null}
                        </Table.Td>
                        <Table.Td>
                          <Badge variant="light" radius="sm" style={{ minWidth: 'max-content' }}>
                            {t.category}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" ff="monospace">
                            {t.spec.model_name}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {SOURCE_LABEL[t.spec.model_source]}
                          </Text>
                        </Table.Td>
                        <Table.Td>{ENGINE_LABEL[t.spec.engine_type]}</Table.Td>
                        <Table.Td>{t.deployment.replicas}</Table.Td>
                        <Table.Td>
                          <Text size="sm" c="dimmed">
                            {formatRelative(t.updated_at)}
                          </Text>
                        </Table.Td>
                        {canOperate ? (
                          <Table.Td>
                            <Group gap={4} justify="flex-end" wrap="nowrap">
                              <Button
                                size="compact-sm"
                                variant="light"
                                leftSection={<IconRocket size={14} />}
                                onClick={() => setDeploying(t)}
                              >
                                Deploy
                              </Button>
                              {t.source === 'user' ? (
                                <>
                                  <Tooltip label="Edit">
                                    <ActionIcon
                                      variant="subtle"
                                      color="gray"
                                      aria-label={`Edit ${t.name}`}
                                      onClick={() => {
                                        setEditing(t);
                                        setFormOpen(true);
                                      }}
                                    >
                                      <IconPencil size={18} />
                                    </ActionIcon>
                                  </Tooltip>
                                  <Tooltip label="Delete">
                                    <ActionIcon
                                      variant="subtle"
                                      color="red"
                                      aria-label={`Delete ${t.name}`}
                                      onClick={() => confirmRemove(t)}
                                    >
                                      <IconTrash size={18} />
                                    </ActionIcon>
                                  </Tooltip>
                                </>
                              ) : (
                                <Tooltip label="System templates are read-only">
                                  <ActionIcon variant="subtle" color="gray" disabled aria-label="Read-only">
                                    <IconLock size={18} />
                                  </ActionIcon>
                                </Tooltip>
                              )}
                            </Group>
                          </Table.Td>
                        ) : null}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            );
          }}
        </QueryBoundary>
      </Card>
      {canOperate ? (
        <>
          <TemplateFormModal opened={formOpen} editing={editing} onClose={() => setFormOpen(false)} />
          <DeployModal template={deploying} onClose={() => setDeploying(null)} />
        </>
      ) : null}
    </>
  );
}
