import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../auth/context.tsx';
import { notifyError, notifySuccess } from '../../lib/notify.ts';

/** Start / stop / scale / delete with toasts, refreshing every view that shows models afterwards. */
export function useModelActions() {
  const api = useApi();
  const qc = useQueryClient();
  const refresh = (uid: string) => {
    void qc.invalidateQueries({ queryKey: ['models'] });
    void qc.invalidateQueries({ queryKey: ['model', uid] });
    void qc.invalidateQueries({ queryKey: ['overview'] });
    void qc.invalidateQueries({ queryKey: ['cache-summary'] });
  };
  const start = useMutation({
    mutationFn: (uid: string) => api.models.start(uid),
    onSuccess: (_d, uid) => notifySuccess(`${uid} is starting`),
    onError: (e) => notifyError(e, 'Start failed'),
    onSettled: (_d, _e, uid) => refresh(uid),
  });
  const stop = useMutation({
    mutationFn: (uid: string) => api.models.stop(uid),
    onSuccess: (_d, uid) => notifySuccess(`${uid} is stopping`),
    onError: (e) => notifyError(e, 'Stop failed'),
    onSettled: (_d, _e, uid) => refresh(uid),
  });
  const scale = useMutation({
    mutationFn: (v: { uid: string; replicas: number }) => api.models.scale(v.uid, v.replicas),
    onSuccess: (_d, v) =>
      notifySuccess(`${v.uid} scaled to ${v.replicas} replica${v.replicas === 1 ? '' : 's'}`),
    onError: (e) => notifyError(e, 'Scale failed'),
    onSettled: (_d, _e, v) => refresh(v.uid),
  });
  const remove = useMutation({
    mutationFn: (v: { uid: string; purge: boolean }) =>
      api.models.delete(v.uid, v.purge ? { purge: true } : {}),
    onSuccess: (d, v) => {
      qc.removeQueries({ queryKey: ['model', v.uid] });
      notifySuccess(
        d.purge === 'requested' ? `${v.uid} deleted; its cached files are being removed` : `${v.uid} deleted`,
      );
    },
    onError: (e) => notifyError(e, 'Delete failed'),
    onSettled: (_d, _e, v) => refresh(v.uid),
  });
  return { start, stop, scale, remove };
}
