import {
  Alert,
  Button,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { TemplateInput } from '../../api/types.ts';
import { errorMessage } from '../../api/errors.ts';
import type { EngineType, ModelSource, TemplateCategory, TemplateView } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { notifySuccess } from '../../lib/notify.ts';
import { ENGINES, SOURCES } from '../../lib/states.ts';
import { CATEGORIES } from '../models/save-template-modal.tsx';

interface Values {
  name: string;
  description: string;
  category: TemplateCategory;
  model_name: string;
  model_source: ModelSource;
  model_path: string;
  revision: string;
  engine_type: EngineType;
  gpu_count: number | string;
  replicas: number | string;
}

const EMPTY: Values = {
  name: '',
  description: '',
  category: 'chat',
  model_name: '',
  model_source: 'huggingface',
  model_path: '',
  revision: '',
  engine_type: 'vllm',
  gpu_count: 1,
  replicas: 1,
};

function fromTemplate(t: TemplateView): Values {
  return {
    name: t.name,
    description: t.description,
    category: t.category,
    model_name: t.spec.model_name,
    model_source: t.spec.model_source,
    model_path: t.spec.model_path ?? '',
    revision: t.spec.revision,
    engine_type: t.spec.engine_type,
    gpu_count: t.spec.resources.gpu_count,
    replicas: t.deployment.replicas,
  };
}

/** The form's values as a template body. Pure. */
export function toTemplateInput(v: Values): Omit<TemplateInput, 'template_id'> {
  return {
    name: v.name.trim(),
    ...(v.description.trim() ? { description: v.description.trim() } : {}),
    category: v.category,
    spec: {
      model_name: v.model_name.trim(),
      model_source: v.model_source,
      engine_type: v.engine_type,
      ...(v.revision.trim() ? { revision: v.revision.trim() } : {}),
      ...(v.model_source === 'local' && v.model_path.trim() ? { model_path: v.model_path.trim() } : {}),
      resources: { gpu_count: Number(v.gpu_count) },
    },
    deployment: { replicas: Number(v.replicas) },
  };
}

/** Creates a user template, or edits one (`editing`). */
export function TemplateFormModal({
  opened,
  editing,
  onClose,
}: {
  opened: boolean;
  editing: TemplateView | null;
  onClose: () => void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const form = useForm<Values>({
    initialValues: EMPTY,
    validate: {
      name: (v) => (v.trim() ? null : 'Give the template a name'),
      model_name: (v) => (v.trim() ? null : 'Enter the model name'),
      model_path: (v, all) =>
        all.model_source === 'local' && all.engine_type !== 'sim' && !v.trim()
          ? 'A local model needs the directory of its weights'
          : null,
    },
  });
  const { setValues } = form;
  useEffect(() => {
    if (opened) setValues(editing ? fromTemplate(editing) : EMPTY);
  }, [opened, editing, setValues]);
  const save = useMutation({
    mutationFn: (v: Values) =>
      editing
        ? api.templates.update(editing.template_id, toTemplateInput(v))
        : api.templates.create(toTemplateInput(v)),
    onSuccess: (t) => {
      void qc.invalidateQueries({ queryKey: ['templates'] });
      notifySuccess(`Template "${t.name}" ${editing ? 'updated' : 'created'}`);
      onClose();
    },
  });
  const resetSave = save.reset;
  useEffect(() => {
    // A new opening starts without the previous attempt's error.
    if (opened) resetSave();
  }, [opened, resetSave]);
  const local = form.values.model_source === 'local';
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={editing ? `Edit ${editing.name}` : 'New template'}
      size="lg"
      centered
    >
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          {save.isError ? <Alert color="red">{errorMessage(save.error)}</Alert> : null}
          <SimpleGrid cols={2}>
            <TextInput label="Name" withAsterisk {...form.getInputProps('name')} />
            <Select
              label="Category"
              data={CATEGORIES}
              allowDeselect={false}
              {...form.getInputProps('category')}
            />
          </SimpleGrid>
          <Textarea label="Description" autosize minRows={2} {...form.getInputProps('description')} />
          <div>
            <Text size="sm" fw={500} mb={4}>
              Model source
            </Text>
            <SegmentedControl
              fullWidth
              data={SOURCES.map((s) => ({ value: s.value, label: s.label }))}
              {...form.getInputProps('model_source')}
            />
          </div>
          <TextInput
            label={local ? 'Model name' : 'Repository'}
            withAsterisk
            placeholder="Qwen/Qwen2.5-7B-Instruct"
            {...form.getInputProps('model_name')}
          />
          {local ? (
            <TextInput label="Model path" {...form.getInputProps('model_path')} />
          ) : (
            <TextInput label="Revision" placeholder="main" {...form.getInputProps('revision')} />
          )}
          <SimpleGrid cols={3}>
            <Select
              label="Engine"
              data={ENGINES.map((e) => ({ value: e.value, label: e.label }))}
              allowDeselect={false}
              {...form.getInputProps('engine_type')}
            />
            <NumberInput
              label="GPUs per replica"
              min={0}
              max={16}
              allowDecimal={false}
              {...form.getInputProps('gpu_count')}
            />
            <NumberInput
              label="Default replicas"
              min={0}
              max={1000}
              allowDecimal={false}
              {...form.getInputProps('replicas')}
            />
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {editing ? 'Save changes' : 'Create template'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
