import { ActionIcon, Button, Group, Select, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ModelDetailView, UpdateModelInput } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { notifyError, notifySuccess } from '../../lib/notify.ts';
import { SectionCard } from './detail-sections.tsx';

/** Same rule as the spec's AdapterName: what clients put in `model`. */
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** One LoRA adapter of a model as the console sends it (spec `adapters`). */
type LoraAdapterInput = NonNullable<UpdateModelInput['adapters']>[number];
type Source = LoraAdapterInput['source'];

/**
 * The LoRA adapters of a model (issue 18): name, where from, and on how many ready replicas each is
 * loaded; operators add and remove them (a spec update: replicas restart to load the new list).
 */
export function AdaptersCard({ m }: { m: ModelDetailView }) {
  const api = useApi();
  const qc = useQueryClient();
  const { canOperate } = usePermissions();
  const [name, setName] = useState('');
  const [source, setSource] = useState<Source>('huggingface');
  const [where, setWhere] = useState('');
  const [revision, setRevision] = useState('');
  const adapters = (m.spec.adapters ?? []) as LoraAdapterInput[];
  const ready = m.endpoints.filter((e) => e.status === 'ready');
  const save = useMutation({
    mutationFn: (next: LoraAdapterInput[]) =>
      // A spec update of the whole list, conditional on the version shown.
      api.models.update(m.model_uid, {
        adapters: next.length === 0 ? null : next,
        resource_version: m.resource_version,
      }),
    onSuccess: () => {
      notifySuccess(`Adapters of ${m.model_uid} saved; its replicas restart to load them`);
      setName('');
      setWhere('');
      setRevision('');
    },
    onError: (e) => notifyError(e, 'Saving the adapters failed'),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['model', m.model_uid] }),
  });
  const nameError =
    name === ''
      ? null
      : !NAME.test(name)
        ? 'lowercase letters, digits and "-"'
        : adapters.some((a) => a.name === name)
          ? 'already an adapter of this model'
          : null;
  const add = () => {
    const a: LoraAdapterInput =
      source === 'local' ? { name, source, path: where } : { name, source, model_id: where };
    if (source !== 'local' && revision !== '') a.revision = revision;
    save.mutate([...adapters, a]);
  };

  return (
    <SectionCard title={`LoRA adapters (${adapters.length})`} testId="adapters-card">
      {adapters.length === 0 ? (
        <Text size="sm" c="dimmed">
          No adapters. Clients reach an adapter by its name in "model".
        </Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>Repository or path</Table.Th>
              <Table.Th>Revision</Table.Th>
              <Table.Th>Loaded</Table.Th>
              {canOperate ? <Table.Th /> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {adapters.map((a) => (
              <Table.Tr key={a.name} data-testid={`adapter-${a.name}`}>
                <Table.Td ff="monospace">{a.name}</Table.Td>
                <Table.Td>{a.source}</Table.Td>
                <Table.Td ff="monospace">{a.model_id ?? a.path}</Table.Td>
                <Table.Td ff="monospace">{a.revision ?? (a.source === 'local' ? '—' : 'main')}</Table.Td>
                <Table.Td>
                  {ready.filter((e) => (e.adapters ?? []).some((x) => x.name === a.name)).length}/
                  {ready.length}
                </Table.Td>
                {canOperate ? (
                  <Table.Td>
                    <Tooltip label={`Remove ${a.name}`}>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove adapter ${a.name}`}
                        loading={save.isPending}
                        onClick={() => save.mutate(adapters.filter((x) => x.name !== a.name))}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canOperate ? (
        <Group align="flex-end" mt="md" gap="xs">
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={nameError}
            w={160}
          />
          <Select
            label="Source"
            data={[
              { value: 'huggingface', label: 'Hugging Face' },
              { value: 'modelscope', label: 'ModelScope' },
              { value: 'local', label: 'Local path' },
            ]}
            value={source}
            onChange={(v) => setSource((v ?? 'huggingface') as Source)}
            allowDeselect={false}
            w={150}
          />
          <TextInput
            label={source === 'local' ? 'Path on the nodes' : 'Repository (org/name)'}
            value={where}
            onChange={(e) => setWhere(e.currentTarget.value)}
            w={260}
          />
          {source !== 'local' ? (
            <TextInput
              label="Revision"
              placeholder="main"
              value={revision}
              onChange={(e) => setRevision(e.currentTarget.value)}
              w={110}
            />
          ) : null}
          <Button
            leftSection={<IconPlus size={16} />}
            disabled={name === '' || nameError !== null || where === ''}
            loading={save.isPending}
            onClick={add}
          >
            Add adapter
          </Button>
        </Group>
      ) : null}
    </SectionCard>
  );
}
