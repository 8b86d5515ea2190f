import { Modal, Select, SimpleGrid, Stack, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { TemplateInput } from '../../api/types.ts';
import type { EngineType, ModelSource, TemplateCategory, TemplateView } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { notifySuccess } from '../../lib/notify.ts';
import { FormActions, MutationError } from '../../components/form-actions.tsx';
import { EngineSelect, GpuCountInput, ReplicasInput, SourceControl } from '../models/spec-fields.tsx';
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
          <MutationError mutation={save} />
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
          <SourceControl {...form.getInputProps('model_source')} />
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
            <EngineSelect {...form.getInputProps('engine_type')} />
            <GpuCountInput {...form.getInputProps('gpu_count')} />
            <ReplicasInput label="Default replicas" {...form.getInputProps('replicas')} />
          </SimpleGrid>
          <FormActions
            onCancel={onClose}
            submitLabel={editing ? 'Save changes' : 'Create template'}
            loading={save.isPending}
          />
        </Stack>
      </form>
    </Modal>
  );
}
