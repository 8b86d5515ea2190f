import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Tabs,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { IconForms, IconTemplate } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { CreateModelInput } from '../../api/types.ts';
import type { EngineType, ModelSource } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { MutationError } from '../../components/form-actions.tsx';
import { notifySuccess } from '../../lib/notify.ts';
import { ENGINE_LABEL, SOURCE_LABEL } from '../../lib/states.ts';
import { GgufVariantSelect } from '../catalog/gguf-variant-select.tsx';
import { DeployFields, useDeployOptions } from '../templates/deploy-fields.tsx';
import { EngineSelect, GpuCountInput, ReplicasInput, SourceControl, uidError } from './spec-fields.tsx';

const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]+)?$/;

interface ManualValues {
  model_name: string;
  model_source: ModelSource;
  model_path: string;
  revision: string;
  engine_type: EngineType;
  model_uid: string;
  replicas: number | string;
  gpu_count: number | string;
  auto_start: boolean;
  /** llama.cpp on a hub repository: the GGUF variant's file name; '' = the default rule. */
  gguf_file: string;
}

/** The manual form's values as the create request (empty optional fields left out). Pure. */
export function toCreateInput(v: ManualValues): CreateModelInput {
  const body: CreateModelInput = {
    model_name: v.model_name.trim(),
    model_source: v.model_source,
    engine_type: v.engine_type,
    replicas: Number(v.replicas),
    auto_start: v.auto_start,
    resources: { gpu_count: Number(v.gpu_count) },
  };
  if (v.model_uid.trim()) body.model_uid = v.model_uid.trim();
  if (v.revision.trim()) body.revision = v.revision.trim();
  if (v.model_source === 'local' && v.model_path.trim()) body.model_path = v.model_path.trim();
  if (v.engine_type === 'llamacpp' && v.model_source !== 'local' && v.gguf_file) body.gguf_file = v.gguf_file;
  return body;
}

function ManualTab({ onDone }: { onDone: (uid: string) => void }) {
  const api = useApi();
  const form = useForm<ManualValues>({
    initialValues: {
      model_name: '',
      model_source: 'huggingface',
      model_path: '',
      revision: '',
      engine_type: 'vllm',
      model_uid: '',
      replicas: 1,
      gpu_count: 1,
      auto_start: true,
      gguf_file: '',
    },
    validate: {
      model_name: (v) =>
        !v.trim()
          ? 'Enter the model name'
          : MODEL_NAME_PATTERN.test(v.trim()) && !v.includes('..')
            ? null
            : 'Looks like "org/name" or "name"',
      model_uid: uidError,
      model_path: (v, all) =>
        all.model_source === 'local' && all.engine_type !== 'sim' && !v.trim()
          ? 'A local model needs the directory of its weights'
          : null,
      replicas: (v) => (Number.isInteger(Number(v)) && Number(v) >= 0 ? null : 'A whole number ≥ 0'),
    },
  });
  const create = useMutation({
    mutationFn: (v: ManualValues) => api.models.create(toCreateInput(v)),
    onSuccess: (m) => onDone(m.model_uid),
  });
  const local = form.values.model_source === 'local';
  const llama = form.values.engine_type === 'llamacpp';
  // The variants are read once the repository name has settled (not on every keystroke).
  const [repo] = useDebouncedValue(form.values.model_name.trim(), 400);
  const repoOk = repo.includes('/') && MODEL_NAME_PATTERN.test(repo) && !repo.includes('..');
  return (
    <form onSubmit={form.onSubmit((v) => create.mutate(v))}>
      <Stack gap="md">
        <MutationError mutation={create} title="The server refused this model" />
        <SourceControl {...form.getInputProps('model_source')} />
        <TextInput
          label={local ? 'Model name' : 'Repository'}
          placeholder={
            local
              ? 'my-model'
              : form.values.model_source === 'modelscope'
                ? 'qwen/Qwen2.5-7B-Instruct'
                : 'Qwen/Qwen2.5-7B-Instruct'
          }
          withAsterisk
          {...form.getInputProps('model_name')}
        />
        {local ? (
          <TextInput
            label="Model path"
            description={
              llama
                ? 'A .gguf file on the nodes, or a directory holding GGUF files'
                : 'Directory on the nodes that holds the weights'
            }
            placeholder="/models/my-model"
            {...form.getInputProps('model_path')}
          />
        ) : (
          <TextInput
            label="Revision"
            placeholder="main"
            description="Branch, tag or commit"
            {...form.getInputProps('revision')}
          />
        )}
        <SimpleGrid cols={2}>
          <EngineSelect {...form.getInputProps('engine_type')} />
          <TextInput
            label="Model UID"
            placeholder="derived from the name"
            description="Name clients use"
            {...form.getInputProps('model_uid')}
          />
        </SimpleGrid>
        {llama && !local && repoOk ? (
          <GgufVariantSelect
            provider={form.values.model_source === 'modelscope' ? 'modelscope' : 'huggingface'}
            repo={repo}
            value={form.values.gguf_file}
            onChange={(f) => form.setFieldValue('gguf_file', f)}
          />
        ) : null}
        <SimpleGrid cols={2}>
          <ReplicasInput {...form.getInputProps('replicas')} />
          <GpuCountInput {...form.getInputProps('gpu_count')} />
        </SimpleGrid>
        <Switch
          label="Start right away"
          description="Download the weights and launch the replicas now"
          {...form.getInputProps('auto_start', { type: 'checkbox' })}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending}>
            Create model
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function TemplateTab({ onDone }: { onDone: (uid: string) => void }) {
  const api = useApi();
  const templates = useQuery({ queryKey: ['templates'], queryFn: () => api.templates.list() });
  const [id, setId] = useState<string | null>(null);
  const { uid, replicas, autoStart, ...opts } = useDeployOptions('');
  const deploy = useMutation({
    mutationFn: () =>
      api.templates.deploy(id ?? '', {
        ...(uid.trim() ? { model_uid: uid.trim() } : {}),
        ...(replicas !== '' ? { replicas: Number(replicas) } : {}),
        auto_start: autoStart,
      }),
    onSuccess: (m) => onDone(m.model_uid),
  });
  const t = templates.data?.items.find((x) => x.template_id === id);
  return (
    <Stack gap="md">
      <MutationError mutation={templates} />
      <MutationError mutation={deploy} title="Deploy failed" />
      <Select
        label="Template"
        placeholder={templates.isLoading ? 'Loading templates…' : 'Pick a template'}
        searchable
        data={(templates.data?.items ?? []).map((x) => ({
          value: x.template_id,
          label: `${x.name} (${x.spec.model_name})`,
        }))}
        value={id}
        onChange={(v) => {
          setId(v);
          const tpl = templates.data?.items.find((x) => x.template_id === v);
          if (tpl) opts.setReplicas(tpl.deployment.replicas);
        }}
        nothingFoundMessage="No template matches"
      />
      {t ? (
        <Card withBorder padding="sm" radius="md" bg="var(--mantine-color-default-hover)">
          <Group gap="xs" mb={4}>
            <Badge variant="light">{t.category}</Badge>
            <Badge variant="outline" color={t.source === 'system' ? 'gray' : 'violet'}>
              {t.source}
            </Badge>
          </Group>
          <Text size="sm" ff="monospace">
            {t.spec.model_name}
          </Text>
          <Text size="xs" c="dimmed">
            {SOURCE_LABEL[t.spec.model_source]} · {ENGINE_LABEL[t.spec.engine_type]} ·{' '}
            {t.spec.resources.gpu_count} GPU(s) per replica
            {t.spec.gguf_file || t.spec.gguf_quant ? ` · GGUF ${t.spec.gguf_file ?? t.spec.gguf_quant}` : ''}
          </Text>
          {t.description ? (
            <Text size="xs" mt={4}>
              {t.description}
            </Text>
          ) : null}
        </Card>
      ) : null}
      <DeployFields options={{ uid, replicas, autoStart, ...opts }} columns />
      <Group justify="flex-end">
        <Button
          onClick={() => deploy.mutate()}
          disabled={!id || opts.uidProblem !== null}
          loading={deploy.isPending}
        >
          Deploy template
        </Button>
      </Group>
    </Stack>
  );
}

/** Seed 002: load a model by hand (source + engine) or from a template. */
export function LoadModelDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const done = (uid: string) => {
    void qc.invalidateQueries({ queryKey: ['models'] });
    void qc.invalidateQueries({ queryKey: ['overview'] });
    notifySuccess(`Model ${uid} created`);
    onClose();
    void navigate(`/models/${uid}`);
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Load a model" size="lg" centered>
      <Tabs defaultValue="manual" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="manual" leftSection={<IconForms size={16} />}>
            Manual
          </Tabs.Tab>
          <Tabs.Tab value="template" leftSection={<IconTemplate size={16} />}>
            From template
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="manual">
          <ManualTab onDone={done} />
        </Tabs.Panel>
        <Tabs.Panel value="template">
          <TemplateTab onDone={done} />
        </Tabs.Panel>
      </Tabs>
    </Modal>
  );
}
