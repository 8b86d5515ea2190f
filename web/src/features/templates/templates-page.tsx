import { Badge, Button, Group, SegmentedControl, Table, Text, Tooltip } from '@mantine/core';
import { IconLock, IconPencil, IconRocket, IconTemplate, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { TemplateView } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { AgoCell, DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { CreateButton, PageHeader } from '../../components/page-header.tsx';
import { ListCard } from '../../components/list-card.tsx';
import { RowAction } from '../../components/row-action.tsx';
import { useConfirmedAction } from '../../lib/use-action.ts';
import { ENGINE_LABEL, SOURCE_LABEL } from '../../lib/states.ts';
import { DeployModal } from './deploy-modal.tsx';
import { TemplateFormModal } from './template-form.tsx';

/** Presets to deploy models from. System templates ship with Nebula and are read-only. */
export function TemplatesPage() {
  const api = useApi();
  const { canOperate } = usePermissions();
  const templates = useQuery({ queryKey: ['templates'], queryFn: () => api.templates.list() });
  const [filter, setFilter] = useState('all');
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<TemplateView | null>(null);
  const [deploying, setDeploying] = useState<TemplateView | null>(null);
  const confirmRemove = useConfirmedAction({
    mutationFn: (t: TemplateView) => api.templates.delete(t.template_id),
    success: (_d, t) => `Template "${t.name}" deleted`,
    failure: 'Delete failed',
    invalidate: [['templates']],
    ask: (t) => ({
      title: `Delete template "${t.name}"?`,
      body: 'Models deployed from it keep running; only the template goes away.',
      confirm: 'Delete template',
    }),
  });

  return (
    <>
      <PageHeader
        title="Templates"
        description="Ready-made model configurations: deploy one in a click, or save a running model as a template."
        actions={
          canOperate ? (
            <CreateButton
              label="New template"
              onClick={() => {
                setEditing(null);
                setFormOpen(true);
              }}
            />
          ) : null
        }
      />
      <ListCard
        query={templates}
        filters={
          <>
            <SegmentedControl
              value={filter}
              onChange={setFilter}
              data={[
                { value: 'all', label: 'All' },
                { value: 'system', label: 'System' },
                { value: 'user', label: 'User' },
              ]}
            />
          </>
        }
        select={(data) => data.items.filter((t) => filter === 'all' || t.source === filter)}
        empty={
          <EmptyState
            icon={<IconTemplate size={28} />}
            title="No templates"
            description={
              canOperate ? 'Create one, or save a model as a template from its page.' : 'Nothing to show yet.'
            }
          />
        }
      >
        {(items) => (
          <DataTable
            minWidth={900}
            testId="templates-table"
            columns={[
              'Name',
              'Category',
              'Model',
              'Engine',
              'Replicas',
              'Updated',
              canOperate && { label: 'Actions', ta: 'right' },
            ]}
          >
            {items.map((t) => (
              <Table.Tr key={t.template_id}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={600}>
                      {t.name}
                    </Text>
                    <Tooltip
                      label={t.source === 'system' ? 'Ships with Nebula (read-only)' : 'Created by a user'}
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
                <AgoCell time={t.updated_at} />
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
                          <RowAction
                            tooltip="Edit"
                            label={`Edit ${t.name}`}
                            color="gray"
                            icon={<IconPencil size={18} />}
                            onClick={() => {
                              setEditing(t);
                              setFormOpen(true);
                            }}
                          />
                          <RowAction
                            tooltip="Delete"
                            label={`Delete ${t.name}`}
                            color="red"
                            icon={<IconTrash size={18} />}
                            onClick={() => confirmRemove(t)}
                          />
                        </>
                      ) : (
                        <RowAction
                          tooltip="System templates are read-only"
                          label="Read-only"
                          color="gray"
                          icon={<IconLock size={18} />}
                          disabled
                        />
                      )}
                    </Group>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </ListCard>
      {canOperate ? (
        <>
          <TemplateFormModal opened={formOpen} editing={editing} onClose={() => setFormOpen(false)} />
          <DeployModal template={deploying} onClose={() => setDeploying(null)} />
        </>
      ) : null}
    </>
  );
}
