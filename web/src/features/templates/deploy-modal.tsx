import { Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import type { TemplateView } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { notifySuccess } from '../../lib/notify.ts';
import { FormActions, MutationError } from '../../components/form-actions.tsx';
import { DeployFields, useDeployOptions } from './deploy-fields.tsx';

/** Deploys a template as a new model (uid, replicas, start now). */
export function DeployModal({ template, onClose }: { template: TemplateView | null; onClose: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { uid, replicas, autoStart, ...opts } = useDeployOptions(1);
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
  const resetOptions = opts.reset;
  useEffect(() => {
    if (!template) return;
    resetOptions(template.deployment.replicas);
    reset();
  }, [template, reset, resetOptions]);
  return (
    <Modal opened={template !== null} onClose={onClose} title={`Deploy ${template?.name ?? ''}`} centered>
      {template ? (
        <Stack>
          <Text size="sm" c="dimmed" ff="monospace">
            {template.spec.model_name} · {template.spec.engine_type}
          </Text>
          <MutationError mutation={deploy} />
          <DeployFields options={{ uid, replicas, autoStart, ...opts }} />
          <FormActions
            onCancel={onClose}
            submitLabel="Deploy"
            onSubmit={() => deploy.mutate(template)}
            loading={deploy.isPending}
            disabled={opts.uidProblem !== null}
          />
        </Stack>
      ) : null}
    </Modal>
  );
}
