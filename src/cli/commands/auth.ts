/**
 * `nebula auth login|logout|whoami` and `nebula whoami`. Login asks for the password without echo (or reads
 * it from stdin with --password-stdin) and keeps the token in the context, so later commands use it.
 */
import type { Command } from 'commander';
import { API_KEY_PREFIX } from '../../core/domain/auth.js';
import { errorMessage } from '../../core/errors.js';
import type { Connection } from '../connection.js';
import { findContext, loadConfig, updateContext, upsertContext } from '../../core/cli-config.js';
import { group, leaf } from '../define.js';
import { UsageError } from '../errors.js';
import { renderFields } from '../output/table.js';
import { readAllStdin, readLine, readPassword } from '../prompt.js';
import type { CommandContext } from '../runtime.js';
import { registerKeyCommands } from './key.js';

async function whoami(ctx: CommandContext): Promise<void> {
  const me = await ctx.client().auth.whoami();
  ctx.print(me, () =>
    renderFields([
      ['User', me.username],
      ['Role', me.role],
      ['Auth', `${me.auth_method}${me.key_id ? ` (key ${me.key_id})` : ''}`],
      ['Expires', me.expires_at ?? 'never'],
      ['Server', ctx.connection().server],
      ['Context', ctx.connection().contextName],
    ]),
  );
}

function registerWhoami(parent: Command, name: string): void {
  leaf(parent, {
    name,
    description: 'show who the token belongs to and its role',
    examples: ['nebula whoami', 'nebula whoami -o json', 'nebula --context prod whoami'],
    run: whoami,
  });
}

function sameServer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** `lab.example.com:8080` -> `lab.example.com-8080`: a context name for a server. */
export function contextNameFor(server: string): string {
  const host = new URL(server).host.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return host.slice(0, 63) || 'default';
}

/**
 * Which context a login writes: the one named (--context / NEBULA_CONTEXT); else the current one when it
 * is for the same server; else one already pointing at that server; else a new one named after the host
 * ("default" for the very first). A login to another server never overwrites the current context.
 */
function loginContext(ctx: CommandContext, conn: Connection): { name: string; makeCurrent: boolean } {
  const config = loadConfig(conn.configPath);
  const current = config['current-context'];
  const named = ctx.str('context') ?? (ctx.io.env.NEBULA_CONTEXT || undefined);
  let name: string;
  if (named !== undefined) name = named;
  else if (conn.context && sameServer(conn.context.server, conn.server)) name = conn.context.name;
  else if (config.contexts.length === 0) name = 'default';
  else
    name =
      config.contexts.find((c) => sameServer(c.server, conn.server))?.name ?? contextNameFor(conn.server);
  // Logging in to a server means working with it next (only an explicitly named context stays as is).
  return { name, makeCurrent: named === undefined && name !== current };
}

export function registerAuthCommands(program: Command): void {
  registerWhoami(program, 'whoami');
  const auth = group(program, 'auth', 'log in and out (the token is kept in the CLI context)', [
    'nebula auth login --username admin',
    'nebula auth whoami',
    'nebula auth logout',
  ]);
  registerWhoami(auth, 'whoami');

  leaf(auth, {
    name: 'login',
    description: 'log in with a user name and password; the token is saved in the context',
    options: [
      ['-u, --username <name>', 'user name (asked for when absent)'],
      ['--password-stdin', 'read the password from stdin (for scripts)'],
    ],
    router: true,
    output: false,
    examples: [
      'nebula auth login --server http://gpu-head:8080 --username admin',
      'echo "$PASSWORD" | nebula auth login -u admin --password-stdin',
      'nebula auth login --context prod -u alice',
    ],
    run: async (ctx) => {
      let username = ctx.str('username');
      if (username === undefined) {
        if (ctx.io.stdin.isTTY !== true || ctx.bool('passwordStdin'))
          throw new UsageError('--username is required when stdin is not a terminal');
        username = (await readLine(ctx.io, 'Username: ')).trim();
        if (username === '') throw new UsageError('a user name is required');
      }
      const password = ctx.bool('passwordStdin')
        ? await readAllStdin(ctx.io)
        : await readPassword(ctx.io, 'Password: ');
      if (password === '') throw new UsageError('the password is empty');
      const conn = ctx.connection({ allowMissingContext: true });
      const res = await ctx.anonymousClient().auth.login(username, password);
      const { name, makeCurrent } = loginContext(ctx, conn);
      upsertContext(
        {
          name,
          server: conn.server,
          token: res.token,
          user: res.username,
          ...(ctx.str('router') !== undefined || conn.context?.router !== undefined
            ? { router: conn.router }
            : {}),
        },
        { configPath: conn.configPath, makeCurrent },
      );
      ctx.out(
        `Logged in to ${conn.server} as ${res.username} (${res.role}); token saved in context "${name}"${makeCurrent ? ' (now current)' : ''} (expires ${res.expires_at}).\n`,
      );
    },
  });

  // `nebula auth key ...` is `nebula key ...` under the auth group too.
  registerKeyCommands(auth);

  leaf(auth, {
    name: 'logout',
    description: 'end the session on the server and forget the token of the context (the context stays)',
    options: [['--all', 'end every session of your user, everywhere (other browsers and CLIs too)']],
    output: false,
    examples: ['nebula auth logout', 'nebula auth logout --context prod', 'nebula auth logout --all'],
    run: async (ctx) => {
      const conn = ctx.connection();
      const name = conn.contextName;
      if (name === undefined)
        throw new UsageError('no context to log out of (see: nebula context list)', 'NO_CONTEXT');
      const token = findContext(loadConfig(conn.configPath), name)?.token;
      const had = token !== undefined;
      // A session is ended server-side (routers refuse it within seconds); an API key stays valid until
      // revoked, so only --all asks anything of the server for one.
      if (had && (ctx.bool('all') || !token.startsWith(API_KEY_PREFIX))) {
        try {
          await ctx.client().auth.logout(ctx.bool('all'));
        } catch (err) {
          ctx.err(
            `warning: the server did not end the session (${errorMessage(err)}); the token is forgotten anyway\n`,
          );
        }
      }
      updateContext(name, { token: null }, { configPath: conn.configPath });
      ctx.out(
        had ? `Logged out: token removed from context "${name}".\n` : `Context "${name}" had no token.\n`,
      );
    },
  });
}
