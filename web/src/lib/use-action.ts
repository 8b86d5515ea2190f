import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { confirmAction } from './confirm.tsx';
import { notifyError, notifySuccess } from './notify.ts';

/**
 * A mutation the way the console's actions behave: a green toast on success, a red one carrying the
 * server's message on failure, and the listed queries refreshed either way.
 */
export function useAction<TData, TVars>({
  mutationFn,
  success,
  failure,
  invalidate,
}: {
  mutationFn: (v: TVars) => Promise<TData>;
  /** The success toast's message. */
  success: (data: TData, vars: TVars) => string;
  /** The failure toast's title (default "Action failed"). */
  failure?: string;
  /** Queries to refresh once the action settles (a function: the keys depend on the action's input). */
  invalidate: QueryKey[] | ((vars: TVars) => QueryKey[]);
}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: (d, v) => notifySuccess(success(d, v)),
    onError: (e) => notifyError(e, failure),
    onSettled: (_d, _e, v) => {
      for (const queryKey of typeof invalidate === 'function' ? invalidate(v) : invalidate)
        void qc.invalidateQueries({ queryKey });
    },
  });
}

/**
 * An action that asks first: `useAction` plus the confirmation dialog `ask(item)` describes. Returns the
 * function that opens the dialog for an item.
 */
export function useConfirmedAction<TData, TVars>({
  ask,
  ...action
}: Parameters<typeof useAction<TData, TVars>>[0] & {
  ask: (v: TVars) => Omit<Parameters<typeof confirmAction>[0], 'onConfirm'>;
}): (v: TVars) => void {
  const mutation = useAction(action);
  return (v) => confirmAction({ ...ask(v), onConfirm: () => mutation.mutate(v) });
}
