import { Alert, Button, Group, Modal, NumberInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../api/errors.ts';
import type { TemplateView } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { notifySuccess } from '../../lib/notify.ts';
import { uidError } from '../models/load-model-dialog.tsx';

/** Deploys a template as a new model (uid, replicas, start now). */
export function DeployModal({ template, onClose }: { template: TemplateView | null; onClose: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [uid, setUid] = useState('');
  const [replicas, setReplicas] = useState<number | string>(1);
  const [autoStart, setAutoStart] = useState(true);
  const deploy = useMutation({
    mutationFn: (t: TemplateView) =>
      api.templates.deploy(t.template_id, {
        ...(uid.trim() ? { model_uid: uid.trim() } : {}),
        replicas: Number(replicas),
        auto_start: autoStart,
      }),
    onSuccess: (m) => {
      void qc.invalidateQueries({ queryKey: ['models'] });
      notifySuccess(`Model ${m.model_uid} deployed from the template`);
      onClose();
      void navigate(`/models/${m.model_uid}`);
    },
  });
  const reset = deploy.reset;
  useEffect(() => {
    if (!template) return;
    setUid('');
    setReplicas(template.deployment.replicas);
    setAutoStart(true);
    reset();
  }, [template, reset]);
  return (
    <Modal opened={template !== null} onClose={onClose} title={`Deploy ${template?.name ?? ''}`} centered>
      {template ? (
        <Stack>
          <Text size="sm" c="dimmed" ff="monospace">
            {template.spec.model_name} · {template.spec.engine_type}
          </Text>
          {deploy.isError ? <Alert color="red">{errorMessage(deploy.error)}</Alert> : null}
          <TextInput
            label="Model UID"
            placeholder="derived from the template"
            value={uid}
            onChange={(e) => setUid(e.currentTarget.value)}
            error={uidError(uid.trim())}
          />
          <NumberInput
            label="Replicas"
            min={0}
            max={1000}
            allowDecimal={false}
            value={replicas}
            onChange={setReplicas}
          />
          <Switch
            label="Start right away"
            checked={autoStart}
            onChange={(e) => setAutoStart(e.currentTarget.checked)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              onClick={() => deploy.mutate(template)}
              loading={deploy.isPending}
              disabled={uidError(uid.trim()) !== null}
            >
              Deploy
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
