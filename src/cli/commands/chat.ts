/**
 * `nebula chat [MODEL] [PROMPT...]`: talk to a model through the OpenAI-compatible router (the data plane,
 * not the control API). With a prompt (or -m) it answers once; otherwise it opens a REPL with history.
 */
import type { Command } from 'commander';
import { chatCompletion, chatCompletionsUrl, type ChatMessage } from '../chat/chat-client.js';
import { runChatRepl } from '../chat/repl.js';
import { leaf } from '../define.js';
import { CliError, SilentExit, UsageError } from '../errors.js';
import type { CommandContext } from '../runtime.js';

/** When no model is named: the router's only model, or a usage error listing what there is. */
async function pickModel(ctx: CommandContext, baseUrl: string, token: string | undefined): Promise<string> {
  const url = chatCompletionsUrl(baseUrl).replace(/\/chat\/completions$/, '/models');
  const res = await (ctx.io.fetch ?? fetch)(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok)
    throw new CliError(
      `router answered ${res.status} to GET /v1/models; name the model: nebula chat MODEL`,
      `HTTP_${res.status}`,
    );
  const body = (await res.json()) as { data?: Array<{ id?: string }> };
  const ids = (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  if (ids.length === 1 && ids[0] !== undefined) return ids[0];
  if (ids.length === 0)
    throw new CliError('the router serves no model yet (see: nebula model list)', 'NO_MODELS');
  throw new UsageError(`name the model to chat with: nebula chat MODEL (available: ${ids.join(', ')})`);
}

function parseTemperature(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 2)
    throw new UsageError(`--temperature must be a number from 0 to 2 (got "${value}")`);
  return n;
}

export function registerChatCommand(program: Command): void {
  leaf(program, {
    name: 'chat',
    args: [
      ['[model]', "served model name (default: the router's only model)"],
      ['[prompt...]', 'ask this once and exit (the answer streams to stdout)'],
    ],
    description: 'chat with a model through the router: one answer for a prompt, else an interactive session',
    options: [
      ['-m, --message <text>', 'ask this once and exit (same as a PROMPT argument)'],
      ['--system <text>', 'system prompt that starts the conversation'],
      ['--no-stream', 'wait for the whole answer instead of streaming tokens'],
      ['--temperature <t>', 'sampling temperature, 0-2'],
      ['--max-tokens <n>', 'longest answer, in tokens'],
    ],
    router: true,
    output: false,
    examples: [
      'nebula chat qwen2-5-7b "Write a haiku about GPUs"',
      'nebula chat qwen2-5-7b -m "Summarise this" --system "You are terse" --no-stream',
      'nebula chat qwen2-5-7b            # interactive: /exit quits, Ctrl-C cancels an answer',
      'echo "hello" | nebula chat qwen2-5-7b',
    ],
    run: async (ctx, modelArg, promptArg) => {
      const conn = ctx.connection();
      const temperature =
        ctx.str('temperature') === undefined ? undefined : parseTemperature(ctx.str('temperature') ?? '');
      const maxTokens = ctx.optInt('maxTokens', 1, 1_000_000);
      const prompt =
        ctx.str('message') ?? (promptArg !== undefined && promptArg !== '' ? promptArg : undefined);
      const model =
        modelArg !== undefined && modelArg !== '' ? modelArg : await pickModel(ctx, conn.router, conn.token);
      const stream = ctx.flags.stream !== false;
      const system = ctx.str('system');

      if (prompt === undefined) {
        const code = await runChatRepl({
          io: ctx.io,
          style: ctx.style,
          baseUrl: conn.router,
          token: conn.token,
          model,
          system,
          stream,
          temperature,
          maxTokens,
        });
        if (code !== 0) throw new SilentExit(code); // the REPL printed the error line already
        return;
      }
      const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
      messages.push({ role: 'user', content: prompt });
      const result = await chatCompletion({
        baseUrl: conn.router,
        token: conn.token,
        model,
        messages,
        stream,
        temperature,
        maxTokens,
        fetch: ctx.io.fetch,
        onToken: (t) => ctx.out(t),
      });
      if (!result.content.endsWith('\n')) ctx.out('\n');
    },
  });
}
