/**
 * The interactive `nebula chat` loop: keeps the conversation history, streams each answer as it arrives,
 * Ctrl-C cancels the answer in progress (and at an empty prompt leaves), `/exit` or Ctrl-D quits.
 * Lines piped in without a terminal are answered one after the other, so the REPL also scripts.
 */
import { createInterface, type Interface } from 'node:readline';
import { describeError, formatErrorLine } from '../errors.js';
import type { CliIo } from '../io.js';
import type { Style } from '../output/style.js';
import { chatCompletion, type ChatMessage } from './chat-client.js';

export interface ReplOptions {
  io: CliIo;
  style: Style;
  baseUrl: string;
  token: string | undefined;
  model: string;
  system?: string | undefined;
  stream: boolean;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
}

const HELP = '/exit quits, /clear forgets the conversation, /history shows it; Ctrl-C cancels an answer.\n';

/** Runs the REPL until /exit, Ctrl-D or end of input; resolves with the exit code (1 if the last answer failed). */
export function runChatRepl(opts: ReplOptions): Promise<number> {
  const { io, style } = opts;
  const terminal = io.stdin.isTTY === true && io.stdout.isTTY === true;
  const rl: Interface = createInterface({
    input: io.stdin,
    ...(terminal ? { output: io.stdout as NodeJS.WritableStream, terminal: true } : { terminal: false }),
    prompt: style.bold('>>> '),
  });
  const history: ChatMessage[] = opts.system ? [{ role: 'system', content: opts.system }] : [];
  const queue: string[] = [];
  let busy = false;
  let closed = false;
  let current: AbortController | undefined;
  let lastFailed = false;

  if (terminal) {
    io.stdout.write(style.dim(`Chatting with ${opts.model} at ${opts.baseUrl}. ${HELP}`));
    rl.prompt();
  }

  return new Promise<number>((resolve) => {
    const finish = (): void => {
      if (busy || queue.length > 0) return; // answer what was asked before leaving
      if (terminal) io.stdout.write('\n');
      resolve(lastFailed ? 1 : 0);
    };

    const ask = async (text: string): Promise<void> => {
      history.push({ role: 'user', content: text });
      current = new AbortController();
      let wrote = false;
      try {
        const result = await chatCompletion({
          baseUrl: opts.baseUrl,
          token: opts.token,
          model: opts.model,
          messages: history,
          stream: opts.stream,
          temperature: opts.temperature,
          maxTokens: opts.maxTokens,
          signal: current.signal,
          fetch: io.fetch,
          onToken: (t) => {
            wrote = true;
            io.stdout.write(t);
          },
        });
        io.stdout.write(wrote && result.content.endsWith('\n') ? '' : '\n');
        history.push({ role: 'assistant', content: result.content });
        lastFailed = false;
      } catch (err) {
        history.pop(); // the question had no answer: do not send it again as context
        if (current.signal.aborted) {
          io.stdout.write(`${wrote ? '\n' : ''}${style.dim('[cancelled]')}\n`);
          lastFailed = false;
        } else {
          if (wrote) io.stdout.write('\n');
          const d = describeError(err);
          io.stderr.write(formatErrorLine(d.message, d.code));
          lastFailed = true;
        }
      } finally {
        current = undefined;
      }
    };

    const command = (line: string): boolean => {
      switch (line) {
        case '/exit':
        case '/quit':
          queue.length = 0;
          rl.close();
          return true;
        case '/clear':
          history.splice(opts.system ? 1 : 0);
          io.stdout.write(style.dim('(conversation cleared)\n'));
          return true;
        case '/history':
          for (const m of history) io.stdout.write(`${style.dim(`${m.role}:`)} ${m.content}\n`);
          return true;
        case '/help':
          io.stdout.write(HELP);
          return true;
        default:
          return false;
      }
    };

    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      while (queue.length > 0) {
        const line = (queue.shift() ?? '').trim();
        if (line === '') continue;
        if (line.startsWith('/') && command(line)) continue;
        await ask(line);
      }
      busy = false;
      if (closed) finish();
      else if (terminal) rl.prompt();
    };

    rl.on('line', (line) => {
      queue.push(line);
      void pump();
    });
    rl.on('SIGINT', () => {
      if (current) {
        current.abort();
        return;
      }
      if (rl.line === '') {
        rl.close();
        return;
      }
      // Ctrl-C on a half-typed line: drop it, like a shell does.
      io.stdout.write('^C\n');
      rl.write(null, { ctrl: true, name: 'u' });
      rl.prompt();
    });
    rl.on('close', () => {
      // End of input (Ctrl-D, /exit, the pipe ran dry): questions already read are still answered.
      closed = true;
      finish();
    });
  });
}
