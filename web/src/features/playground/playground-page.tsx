import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  NumberInput,
  Paper,
  ScrollArea,
  Select,
  Slider,
  Stack,
  Text,
  Textarea,
  Tooltip,
} from '@mantine/core';
import {
  IconEraser,
  IconMessageChatbot,
  IconPlayerStopFilled,
  IconSend,
  IconUser,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors.ts';
import { readSse } from '../../api/sse.ts';
import { useApi } from '../../auth/context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { buildChatBody, parseChatChunk, type ChatMessage } from './chat-stream.ts';

interface Turn extends ChatMessage {
  stats?: string;
  error?: string;
}

/** A chat with a running model through the server's OpenAI proxy, streamed token by token. */
export function PlaygroundPage() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const models = useQuery({
    queryKey: ['models', 'playground'],
    queryFn: () => api.models.list({ limit: 1000 }),
    refetchInterval: 10_000,
  });
  const runnable = (models.data?.items ?? []).filter(
    (m) => m.state === 'running' || m.state === 'degraded' || m.state === 'updating',
  );
  const selected = params.get('model');
  const model = runnable.find((m) => m.model_uid === selected) ?? null;
  const [system, setSystem] = useState('You are a helpful assistant.');
  const [temperature, setTemperature] = useState(0.7);
  const [maxTokens, setMaxTokens] = useState<number | string>(256);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [input, setInput] = useState('');
  const [streaming, setStreaming] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const viewport = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!selected && runnable[0]) setParams({ model: runnable[0].model_uid }, { replace: true });
  }, [selected, runnable, setParams]);
  useEffect(() => {
    // A block body: recent Chromium returns a promise from scrollTo, and an effect may return only a cleanup.
    void viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [turns]);
  useEffect(() => () => abortRef.current?.abort(), []);

  const send = async () => {
    const text = input.trim();
    if (!text || !model || streaming) return;
    const history: ChatMessage[] = [
      ...turns.filter((t) => !t.error).map(({ role, content }) => ({ role, content })),
      { role: 'user', content: text },
    ];
    setTurns([...turns, { role: 'user', content: text }, { role: 'assistant', content: '' }]);
    setInput('');
    setStreaming(true);
    const ctl = new AbortController();
    abortRef.current = ctl;
    const started = performance.now();
    let first = 0;
    let chars = 0;
    let completionTokens: number | undefined;
    const patchLast = (fn: (t: Turn) => Turn) =>
      setTurns((prev) => [
        ...prev.slice(0, -1),
        fn(prev[prev.length - 1] ?? { role: 'assistant', content: '' }),
      ]);
    try {
      const res = await api.openai.chat(
        buildChatBody(model.served_model_name, system, history, {
          temperature,
          max_tokens: Number(maxTokens) || 256,
        }),
        { signal: ctl.signal },
      );
      await readSse(
        res,
        (ev) => {
          const c = parseChatChunk(ev.data);
          if (c.error) patchLast((t) => ({ ...t, error: c.error ?? undefined }));
          if (c.usage?.completion_tokens !== undefined) completionTokens = c.usage.completion_tokens;
          if (c.content) {
            if (!first) first = performance.now();
            chars += c.content.length;
            patchLast((t) => ({ ...t, content: t.content + c.content }));
          }
        },
        ctl.signal,
      );
      const total = (performance.now() - started) / 1000;
      const ttft = first ? (first - started) / 1000 : total;
      const tokens = completionTokens ?? Math.round(chars / 4);
      patchLast((t) => ({
        ...t,
        stats: `${tokens} tokens · TTFT ${ttft.toFixed(2)} s · ${(tokens / Math.max(0.001, total - ttft || total)).toFixed(1)} tok/s${ctl.signal.aborted ? ' · stopped' : ''}`,
      }));
    } catch (err) {
      if (ctl.signal.aborted) {
        patchLast((t) => ({ ...t, stats: 'stopped' }));
      } else {
        const msg =
          err instanceof ApiError && err.status === 404 && err.code !== 'MODEL_NOT_FOUND'
            ? `The server has no chat proxy (${err.message}).`
            : errorMessage(err);
        patchLast((t) => ({ ...t, error: msg }));
      }
    } finally {
      setStreaming(false);
      abortRef.current = null;
    }
  };

  return (
    <>
      <PageHeader
        title="Playground"
        description="Chat with a running model. Replies stream token by token through the router."
      />
      {models.data && runnable.length === 0 ? (
        <Card withBorder radius="md">
          <EmptyState
            icon={<IconMessageChatbot size={28} />}
            title="No running model"
            description="Start a model first: the playground talks to models that have at least one ready replica."
            action={
              <Button component={Link} to="/models" variant="light">
                Go to models
              </Button>
            }
          />
        </Card>
      ) : (
        <Grid gutter="lg">
          <Grid.Col span={{ base: 12, md: 4, xl: 3 }}>
            <Card withBorder radius="md" padding="lg">
              <Stack>
                <Select
                  label="Model"
                  placeholder={models.isLoading ? 'Loading…' : 'Pick a running model'}
                  data={runnable.map((m) => ({ value: m.model_uid, label: m.model_uid }))}
                  value={model?.model_uid ?? null}
                  onChange={(v) => v && setParams({ model: v }, { replace: true })}
                  allowDeselect={false}
                  data-testid="playground-model"
                />
                {model ? (
                  <Group gap={6}>
                    <StateBadge state={model.state} />
                    <Text size="xs" c="dimmed" ff="monospace">
                      {model.served_model_name} · {model.ready_replicas} ready
                    </Text>
                  </Group>
                ) : null}
                <Textarea
                  label="System prompt"
                  value={system}
                  onChange={(e) => setSystem(e.currentTarget.value)}
                  autosize
                  minRows={3}
                  maxRows={10}
                />
                <div>
                  <Text size="sm" fw={500}>
                    Temperature: {temperature.toFixed(1)}
                  </Text>
                  <Slider
                    min={0}
                    max={2}
                    step={0.1}
                    value={temperature}
                    onChange={setTemperature}
                    label={(v) => v.toFixed(1)}
                    mt={6}
                  />
                </div>
                <NumberInput
                  label="Max tokens"
                  min={1}
                  max={32768}
                  value={maxTokens}
                  onChange={setMaxTokens}
                  allowDecimal={false}
                />
              </Stack>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8, xl: 9 }}>
            <Card
              withBorder
              radius="md"
              padding={0}
              style={{
                display: 'flex',
                flexDirection: 'column',
                height: 'calc(100vh - 200px)',
                minHeight: 460,
              }}
            >
              <Group
                justify="space-between"
                px="lg"
                py="sm"
                style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
              >
                <Text fw={600}>Conversation</Text>
                <Tooltip label="Clear the conversation">
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    onClick={() => setTurns([])}
                    disabled={streaming}
                    aria-label="Clear conversation"
                  >
                    <IconEraser size={18} />
                  </ActionIcon>
                </Tooltip>
              </Group>
              <ScrollArea style={{ flex: 1 }} viewportRef={viewport} px="lg" py="md">
                {turns.length === 0 ? (
                  <Text c="dimmed" size="sm" ta="center" mt={80}>
                    Send a message to start.
                  </Text>
                ) : (
                  <Stack gap="md" data-testid="chat-transcript">
                    {turns.map((t, i) => (
                      <Group
                        key={i}
                        align="flex-start"
                        gap="sm"
                        wrap="nowrap"
                        justify={t.role === 'user' ? 'flex-end' : 'flex-start'}
                      >
                        {t.role === 'assistant' ? (
                          <Badge size="lg" circle variant="light" color="violet">
                            <IconMessageChatbot size={14} />
                          </Badge>
                        ) : null}
                        <Stack gap={4} maw="80%">
                          {t.content || !t.error ? (
                            <Paper
                              px="md"
                              py="sm"
                              radius="lg"
                              bg={
                                t.role === 'user'
                                  ? 'var(--mantine-color-violet-light)'
                                  : 'var(--mantine-color-default-hover)'
                              }
                              data-testid={t.role === 'assistant' ? 'assistant-message' : 'user-message'}
                            >
                              <Text size="sm" className="nb-chat-bubble">
                                {t.content || (streaming && i === turns.length - 1 ? '…' : '')}
                              </Text>
                            </Paper>
                          ) : null}
                          {t.error ? (
                            <Alert color="red" variant="light" py={6} data-testid="chat-error">
                              {t.error}
                            </Alert>
                          ) : null}
                          {t.stats ? (
                            <Text size="xs" c="dimmed">
                              {t.stats}
                            </Text>
                          ) : null}
                        </Stack>
                        {t.role === 'user' ? (
                          <Badge size="lg" circle variant="light" color="gray">
                            <IconUser size={14} />
                          </Badge>
                        ) : null}
                      </Group>
                    ))}
                  </Stack>
                )}
              </ScrollArea>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void send();
                }}
                style={{ borderTop: '1px solid var(--mantine-color-default-border)', padding: 12 }}
              >
                <Group align="flex-end" wrap="nowrap" gap="sm">
                  <Textarea
                    style={{ flex: 1 }}
                    placeholder={
                      model
                        ? `Message ${model.model_uid} (Enter to send, Shift+Enter for a new line)`
                        : 'Pick a model first'
                    }
                    value={input}
                    onChange={(e) => setInput(e.currentTarget.value)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && !e.shiftKey) {
                        e.preventDefault();
                        void send();
                      }
                    }}
                    autosize
                    minRows={1}
                    maxRows={6}
                    disabled={!model}
                    aria-label="Message"
                  />
                  {streaming ? (
                    <Button
                      color="red"
                      variant="light"
                      leftSection={<IconPlayerStopFilled size={16} />}
                      onClick={() => abortRef.current?.abort()}
                    >
                      Stop
                    </Button>
                  ) : (
                    <Button
                      type="submit"
                      leftSection={<IconSend size={16} />}
                      disabled={!model || !input.trim()}
                    >
                      Send
                    </Button>
                  )}
                </Group>
              </form>
            </Card>
          </Grid.Col>
        </Grid>
      )}
    </>
  );
}
