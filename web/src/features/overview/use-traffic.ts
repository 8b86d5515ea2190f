import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useApi } from '../../auth/context.tsx';
import { appendScrape, type TrafficPoint } from './metrics-history.ts';

const HISTORY_KEY = ['router-metrics-history'] as const;
export const TRAFFIC_POLL_MS = 5_000;

/**
 * Polls the router metrics and keeps a short history for the charts. The history lives in the query
 * cache, so it survives moving between pages and is dropped at logout with everything else.
 */
export function useTraffic() {
  const api = useApi();
  const qc = useQueryClient();
  const metrics = useQuery({
    queryKey: ['router-metrics'],
    queryFn: () => api.v1.routerMetrics(),
    refetchInterval: TRAFFIC_POLL_MS,
    retry: false,
  });
  const history = useQuery<TrafficPoint[]>({
    queryKey: HISTORY_KEY,
    queryFn: () => [],
    staleTime: Infinity,
    gcTime: Infinity,
  });
  useEffect(() => {
    if (!metrics.data) return;
    qc.setQueryData<TrafficPoint[]>(HISTORY_KEY, (h) => appendScrape(h ?? [], metrics.data));
  }, [metrics.data, qc]);
  return { metrics, history: history.data ?? [] };
}
