/**
 * What a command's action gets: the run's io, merged flags, the resolved connection, a lazily created API
 * client, and printers that honour `-o table|json|yaml`, colours and TTY rules. Actions throw; `runCli`
 * turns what they throw into one stderr line and an exit code.
 */
import type { Command } from 'commander';
import { parseInteger } from './args.js';
import { UsageError } from './errors.js';
import { resolveConnection, type Connection } from './connection.js';
import { ioOf, type CliIo } from './io.js';
import { parseOutputFormat, serialize, type OutputFormat } from './output/format.js';
import { ProgressReporter } from './output/progress.js';
import { confirm } from './prompt.js';
import { styleFor, type Style } from './output/style.js';
import { createClient, type NebulaClient } from '../client/index.js';

/** The run's fetch (tests inject one), or the client's default. */
const fetchOf = (io: CliIo): { fetch?: typeof fetch } => (io.fetch ? { fetch: io.fetch } : {});

export class CommandContext {
  readonly io: CliIo;
  readonly cmd: Command;
  /** Local options merged over the ancestors' (the leaf wins). */
  readonly flags: Record<string, unknown>;
  readonly style: Style;
  readonly errStyle: Style;
  private conn: Connection | undefined;
  private api: NebulaClient | undefined;

  constructor(cmd: Command) {
    this.cmd = cmd;
    this.io = ioOf(cmd);
    const chain: Command[] = [];
    for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
    const flags: Record<string, unknown> = {};
    for (const c of chain) {
      for (const [k, v] of Object.entries(c.opts())) if (v !== undefined) flags[k] = v;
    }
    this.flags = flags;
    this.style = styleFor(this.io.stdout, this.io.env);
    this.errStyle = styleFor(this.io.stderr, this.io.env);
  }

  /** Server, router and token for this run (flag > env > context > default). */
  connection(opts: { allowMissingContext?: boolean } = {}): Connection {
    this.conn ??= resolveConnection(
      {
        server: this.str('server'),
        token: this.str('token'),
        context: this.str('context'),
        router: this.str('router'),
      },
      this.io.env,
      opts,
    );
    return this.conn;
  }

  /** The typed API client for the resolved server. */
  client(): NebulaClient {
    if (!this.api) {
      const c = this.connection();
      this.api = createClient({ baseUrl: c.server, token: c.token, ...fetchOf(this.io) });
    }
    return this.api;
  }

  /** A client that sends no token (login must not be refused for a stale one). */
  anonymousClient(): NebulaClient {
    return createClient({ baseUrl: this.connection().server, ...fetchOf(this.io) });
  }

  /** A string flag (undefined when absent). */
  str(name: string): string | undefined {
    const v = this.flags[name];
    return typeof v === 'string' ? v : undefined;
  }

  /**
   * A flag declared with commander's `.choices()`, typed as one of them (undefined when absent). Commander
   * has already refused other words with exit 2; the check here only narrows the type.
   */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const v = this.str(name);
    return v !== undefined && (choices as readonly string[]).includes(v) ? (v as T) : undefined;
  }

  /**
   * A whole-number flag within [min, max] (undefined when absent; commander has filled in its declared
   * default). A bad value is a UsageError naming the flag as the user typed it.
   */
  optInt(name: string, min: number, max: number): number | undefined {
    const v = this.str(name);
    return v === undefined ? undefined : parseInteger(v, this.flagOf(name), min, max);
  }

  /** `optInt` of a flag that must be there (a required option, or one with a default). */
  int(name: string, min: number, max: number): number {
    const n = this.optInt(name, min, max);
    if (n === undefined) throw new UsageError(`${this.flagOf(name)} is required`);
    return n;
  }

  /** The long flag (`--replica-id`) of an option's attribute name (`replicaId`), searched leaf first. */
  private flagOf(name: string): string {
    for (let c: Command | null = this.cmd; c; c = c.parent) {
      const o = c.options.find((x) => x.attributeName() === name);
      if (o?.long) return o.long;
    }
    return `--${name}`;
  }

  bool(name: string): boolean {
    return this.flags[name] === true;
  }

  /**
   * The string flags given, under the request-body field each fills (`{ description: 'description',
   * served_model_name: 'servedName' }`); absent flags are left out, so the result spreads into a body.
   */
  strs<K extends string>(fields: Record<K, string>): Partial<Record<K, string>> {
    const out: Partial<Record<K, string>> = {};
    for (const [field, flag] of Object.entries(fields) as [K, string][]) {
      const v = this.str(flag);
      if (v !== undefined) out[field] = v;
    }
    return out;
  }

  /**
   * True with `--yes` or when the person at the terminal answers yes to `question`; otherwise says
   * `nothing` on stderr and is false. Without a terminal and without --yes it refuses (exit 2).
   */
  async confirmed(question: string, what: string, nothing = 'Nothing deleted.'): Promise<boolean> {
    if (this.bool('yes') || (await confirm(this.io, question, what))) return true;
    this.err(`${nothing}\n`);
    return false;
  }

  list(name: string): string[] {
    const v = this.flags[name];
    return Array.isArray(v) ? v.map(String) : [];
  }

  /** `-o` of this command (table when it has none). */
  get format(): OutputFormat {
    return parseOutputFormat(this.str('output'));
  }

  /** The time ages are measured against. */
  now(): number {
    return this.io.now?.() ?? Date.now();
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }

  /** Prints `data` as json/yaml, or the table text `table()` builds. */
  print(data: unknown, table: () => string): void {
    const f = this.format;
    this.out(f === 'table' ? table() : serialize(data, f));
  }

  /** Prints a list: a table, or a note on stderr when it is empty (json/yaml print `[]`). */
  printList<T>(items: readonly T[], table: (items: readonly T[]) => string, empty: string): void {
    const f = this.format;
    if (f !== 'table') this.out(serialize(items, f));
    else if (items.length === 0) this.err(`${empty}\n`);
    else this.out(table(items));
  }

  /** Progress on stderr: redrawn on a terminal, plain lines otherwise (or with NO_COLOR). */
  progress(intervalMs?: number): ProgressReporter {
    const interactive = this.style.interactive && this.errStyle.interactive;
    return new ProgressReporter(this.io.stderr, {
      interactive,
      ...(intervalMs === undefined ? {} : { intervalMs }),
    });
  }

  /** A status line for people: on stderr when stdout carries json/yaml, so the data stays parseable. */
  note(text: string): void {
    if (this.format === 'table') this.out(`${text}\n`);
    else this.err(`${text}\n`);
  }
}

/** Wraps an action so it receives a CommandContext plus its positional arguments. */
export function action(
  fn: (ctx: CommandContext, ...args: string[]) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2).map((a) => (Array.isArray(a) ? a.join(' ') : (a as string)));
    await fn(new CommandContext(cmd), ...positional);
  };
}
