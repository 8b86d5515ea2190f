import { ActionIcon, Badge, Button, Card, Group, ScrollArea, Select, Text, Tooltip } from '@mantine/core';
import { IconPlayerPause, IconPlayerPlay, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../api/errors.ts';
import { readSse } from '../../api/sse.ts';
import { useApi } from '../../auth/context.tsx';

const MAX_LINES = 2000;
const TAIL = 200;

type StreamState = 'connecting' | 'live' | 'ended' | 'error';

/**
 * Live logs of one replica (SSE follow through the server, which asks the replica's node). Lines are
 * batched into one render every 150 ms; pausing freezes the view while the stream keeps reading.
 */
export function LogViewer({ uid, replicaIds }: { uid: string; replicaIds: number[] }) {
  const api = useApi();
  const [replica, setReplica] = useState<number | null>(replicaIds[0] ?? null);
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<StreamState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const pending = useRef<string[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const viewport = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (replica === null && replicaIds.length > 0) setReplica(replicaIds[0] ?? null);
  }, [replica, replicaIds]);

  useEffect(() => {
    if (replica === null) return;
    const ctl = new AbortController();
    setLines([]);
    setError(null);
    setState('connecting');
    pending.current = [];
    const flush = setInterval(() => {
      if (pausedRef.current || pending.current.length === 0) return;
      const add = pending.current;
      pending.current = [];
      setLines((prev) => [...prev, ...add].slice(-MAX_LINES));
    }, 150);
    void (async () => {
      try {
        const res = await api.models.openLogStream(uid, replica, { tail: TAIL, signal: ctl.signal });
        setState('live');
        await readSse(
          res,
          (ev) => {
            pending.current.push(ev.event === 'file' ? `──── engine restarted: ${ev.data} ────` : ev.data);
            if (pending.current.length > MAX_LINES) pending.current = pending.current.slice(-MAX_LINES);
          },
          ctl.signal,
        );
        if (!ctl.signal.aborted) setState('ended');
      } catch (err) {
        if (ctl.signal.aborted) return;
        setError(errorMessage(err));
        setState('error');
      }
    })();
    return () => {
      ctl.abort();
      clearInterval(flush);
    };
  }, [api, uid, replica, attempt]);

  useEffect(() => {
    const el = viewport.current;
    if (el && !paused) el.scrollTo({ top: el.scrollHeight });
  }, [lines, paused]);

  if (replicaIds.length === 0) {
    return (
      <Text c="dimmed" size="sm" py="md">
        No replica has been placed yet, so there are no logs to show.
      </Text>
    );
  }
  const badge = {
    connecting: ['gray', 'connecting'],
    live: ['teal', 'live'],
    ended: ['gray', 'ended'],
    error: ['red', 'error'],
  }[state];
  return (
    <Card withBorder radius="md" padding="md" data-testid="log-viewer">
      <Group justify="space-between" mb="sm">
        <Group gap="sm">
          <Select
            size="xs"
            w={140}
            data={replicaIds.map((r) => ({ value: String(r), label: `Replica ${r}` }))}
            value={replica === null ? null : String(replica)}
            onChange={(v) => setReplica(v === null ? null : Number(v))}
            allowDeselect={false}
            aria-label="Replica"
          />
          <Badge
            color={badge?.[0]}
            variant="light"
            leftSection={<span className={state === 'live' && !paused ? 'nb-dot nb-dot-pulse' : 'nb-dot'} />}
          >
            {paused ? 'paused' : badge?.[1]}
          </Badge>
          <Text size="xs" c="dimmed">
            last {TAIL} lines, then new ones as they are written
          </Text>
        </Group>
        <Group gap={4}>
          <Tooltip label={paused ? 'Resume' : 'Pause'}>
            <ActionIcon
              variant="default"
              onClick={() => setPaused((p) => !p)}
              aria-label={paused ? 'Resume logs' : 'Pause logs'}
            >
              {paused ? <IconPlayerPlay size={16} /> : <IconPlayerPause size={16} />}
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Clear">
            <ActionIcon variant="default" onClick={() => setLines([])} aria-label="Clear logs">
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Reconnect">
            <ActionIcon
              variant="default"
              onClick={() => setAttempt((a) => a + 1)}
              aria-label="Reconnect logs"
            >
              <IconRefresh size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      {error ? (
        <Group mb="sm" gap="sm">
          <Text size="sm" c="red">
            {error}
          </Text>
          <Button size="compact-xs" variant="light" onClick={() => setAttempt((a) => a + 1)}>
            Retry
          </Button>
        </Group>
      ) : null}
      <ScrollArea h={420} viewportRef={viewport} className="nb-logs" type="auto">
        {lines.length === 0 ? (
          <span style={{ opacity: 0.6 }}>{state === 'connecting' ? 'Connecting…' : 'No output yet.'}</span>
        ) : (
          lines.join('\n')
        )}
      </ScrollArea>
    </Card>
  );
}
