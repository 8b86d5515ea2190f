import { Modal, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { TemplateCategory } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { FormActions, MutationError } from '../../components/form-actions.tsx';
import { notifySuccess } from '../../lib/notify.ts';

export const CATEGORIES: TemplateCategory[] = [
  'chat',
  'completion',
  'embedding',
  'rerank',
  'multimodal',
  'code',
  'other',
];

/** Saves a model's spec and replica count as a user template. */
export function SaveTemplateModal({
  uid,
  opened,
  onClose,
}: {
  uid: string;
  opened: boolean;
  onClose: () => void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const [name, setName] = useState(uid);
  const [category, setCategory] = useState<TemplateCategory>('chat');
  const [description, setDescription] = useState('');
  const save = useMutation({
    mutationFn: () =>
      api.models.saveAsTemplate(uid, {
        name: name.trim(),
        category,
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    onSuccess: (t) => {
      void qc.invalidateQueries({ queryKey: ['templates'] });
      notifySuccess(`Template "${t.name}" saved`);
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Save as template" centered>
      <Stack>
        <MutationError mutation={save} />
        <TextInput
          label="Template name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          withAsterisk
        />
        <Select
          label="Category"
          data={CATEGORIES}
          value={category}
          onChange={(v) => v && setCategory(v as TemplateCategory)}
          allowDeselect={false}
        />
        <Textarea
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          autosize
          minRows={2}
        />
        <FormActions
          onCancel={onClose}
          submitLabel="Save template"
          onSubmit={() => save.mutate()}
          disabled={!name.trim()}
          loading={save.isPending}
        />
      </Stack>
    </Modal>
  );
}
