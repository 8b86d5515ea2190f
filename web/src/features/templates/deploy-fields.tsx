import { SimpleGrid, Switch, TextInput } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ReplicasInput, uidError } from '../models/spec-fields.tsx';

/** What deploying a template asks: the new model's uid, its replicas and whether it starts now. */
export function useDeployOptions(initialReplicas: number | string) {
  const [uid, setUid] = useState('');
  const [replicas, setReplicas] = useState<number | string>(initialReplicas);
  const [autoStart, setAutoStart] = useState(true);
  const reset = useCallback((replicasDefault: number | string) => {
    setUid('');
    setReplicas(replicasDefault);
    setAutoStart(true);
  }, []);
  return {
    uid,
    setUid,
    replicas,
    setReplicas,
    autoStart,
    setAutoStart,
    /** The uid's problem, or null (an empty uid lets the server derive one). */
    uidProblem: uidError(uid.trim()),
    /** Back to a fresh form for a template with this default replica count (stable across renders). */
    reset,
  };
}
export type DeployOptions = ReturnType<typeof useDeployOptions>;

/** The deploy fields: uid and replicas side by side (`columns`) or stacked, then the start switch. */
export function DeployFields({ options: o, columns = false }: { options: DeployOptions; columns?: boolean }) {
  const fields = (
    <>
      <TextInput
        label="Model UID"
        placeholder="derived from the template"
        value={o.uid}
        onChange={(e) => o.setUid(e.currentTarget.value)}
        error={o.uidProblem}
      />
      <ReplicasInput value={o.replicas} onChange={o.setReplicas} />
    </>
  );
  return (
    <>
      {columns ? <SimpleGrid cols={2}>{fields}</SimpleGrid> : fields}
      <Switch
        label="Start right away"
        checked={o.autoStart}
        onChange={(e) => o.setAutoStart(e.currentTarget.checked)}
      />
    </>
  );
}
