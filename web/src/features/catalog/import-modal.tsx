import { Badge, Group, Modal, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ImportInput } from '../../api/types.ts';
import type { CatalogItem, EngineType, ImportResponse } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { FormActions, MutationError } from '../../components/form-actions.tsx';
import { formatBytes, suggestModelUid } from '../../lib/format.ts';
import { SOURCE_LABEL } from '../../lib/states.ts';
import { EngineSelect, ReplicasInput, uidError } from '../models/spec-fields.tsx';
import { GgufVariantSelect } from './gguf-variant-select.tsx';

interface Values {
  model_uid: string;
  engine_type: EngineType;
  replicas: number | string;
  auto_start: boolean;
  /** llama.cpp: the GGUF variant's file name; '' = the default rule. */
  gguf_file: string;
}

/** A GGUF repository (by its tags or name) runs on llama.cpp unless the user says otherwise. Pure. */
export function defaultEngineFor(item: Pick<CatalogItem, 'id' | 'tags'>): EngineType {
  return item.tags.some((t) => t.toLowerCase() === 'gguf') || /gguf/i.test(item.id) ? 'llamacpp' : 'vllm';
}

/** The form's values as the import request (a blank uid lets the server pick one). Pure. */
export function toImportInput(item: Pick<CatalogItem, 'id' | 'source'>, v: Values): ImportInput {
  return {
    provider: item.source,
    model_id: item.id,
    ...(v.model_uid.trim() ? { model_uid: v.model_uid.trim() } : {}),
    engine_type: v.engine_type,
    replicas: Number(v.replicas),
    auto_start: v.auto_start,
    ...(v.engine_type === 'llamacpp' && v.gguf_file ? { gguf_file: v.gguf_file } : {}),
  };
}

/** Seed 004 §4.1: the small form before a download (model_uid, engine_type, replicas, auto_start). */
export function ImportModal({
  item,
  onClose,
  onImported,
}: {
  item: CatalogItem | null;
  onClose: () => void;
  onImported: (res: ImportResponse) => void;
}) {
  const api = useApi();
  const form = useForm<Values>({
    initialValues: { model_uid: '', engine_type: 'vllm', replicas: 1, auto_start: true, gguf_file: '' },
    validate: {
      model_uid: (v) => uidError(v.trim()),
      replicas: (v) =>
        Number.isInteger(Number(v)) && Number(v) >= 0 && Number(v) <= 1000
          ? null
          : 'A whole number from 0 to 1000',
    },
  });
  const run = useMutation({
    mutationFn: (body: ImportInput) => api.catalog.import(body),
    onSuccess: onImported,
  });
  const { setValues, resetDirty } = form;
  const reset = run.reset;
  useEffect(() => {
    if (!item) return;
    setValues({
      model_uid: suggestModelUid(item.id),
      engine_type: defaultEngineFor(item),
      replicas: 1,
      auto_start: true,
      gguf_file: '',
    });
    resetDirty();
    reset();
    // Reset once per item opened (the form helpers are stable, the item's identity is what matters).
  }, [item?.id, item?.source]);

  return (
    <Modal opened={item !== null} onClose={onClose} title="Download model" centered size="md">
      {item ? (
        <form onSubmit={form.onSubmit((v) => run.mutate(toImportInput(item, v)))}>
          <Stack gap="md">
            <Stack gap={4}>
              <Text ff="monospace" fw={600}>
                {item.id}
              </Text>
              <Group gap={6}>
                <Badge variant="light">{SOURCE_LABEL[item.source]}</Badge>
                {item.task ? <Badge variant="default">{item.task}</Badge> : null}
                {item.size ? <Badge variant="default">{formatBytes(item.size)}</Badge> : null}
              </Group>
            </Stack>
            <MutationError mutation={run} title="Import failed" />
            <TextInput
              label="Model UID"
              description="The name clients use; leave empty to derive one"
              {...form.getInputProps('model_uid')}
            />
            <SimpleGrid cols={2}>
              <EngineSelect {...form.getInputProps('engine_type')} />
              <ReplicasInput {...form.getInputProps('replicas')} />
            </SimpleGrid>
            {form.values.engine_type === 'llamacpp' ? (
              <GgufVariantSelect
                provider={item.source}
                repo={item.id}
                value={form.values.gguf_file}
                onChange={(f) => form.setFieldValue('gguf_file', f)}
              />
            ) : null}
            <Switch
              label="Start after download"
              description="Off: only register the model; start it later"
              {...form.getInputProps('auto_start', { type: 'checkbox' })}
            />
            <FormActions onCancel={onClose} submitLabel="Download" loading={run.isPending} />
          </Stack>
        </form>
      ) : null}
    </Modal>
  );
}
