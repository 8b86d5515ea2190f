/** `nebula user list|create|delete` (admin): people who can log in, with their role. */
import { Option, type Command } from 'commander';
import { Role, Username } from '../../core/domain/index.js';
import type { UserView } from '../../client/index.js';
import { group, leaf, listing, removal } from '../define.js';
import { UsageError } from '../errors.js';
import { formatAge } from '../output/human.js';
import { renderTable } from '../output/table.js';
import { readAllStdin, readPassword } from '../prompt.js';
import type { CommandContext } from '../runtime.js';

function checkUsername(name: string): string {
  const r = Username.safeParse(name);
  if (!r.success)
    throw new UsageError(
      `invalid user name "${name}": ${r.error.issues[0]?.message ?? ''}`,
      'INVALID_USERNAME',
    );
  return name;
}

async function newPassword(ctx: CommandContext): Promise<string> {
  if (ctx.bool('passwordStdin')) return readAllStdin(ctx.io);
  const first = await readPassword(ctx.io, 'Password: ');
  const second = await readPassword(ctx.io, 'Repeat password: ');
  if (first !== second) throw new UsageError('the passwords do not match');
  return first;
}

export function usersTable(users: readonly UserView[], nowMs: number): string {
  return renderTable(
    [
      { header: 'USER', value: (u) => u.username },
      { header: 'ROLE', value: (u) => u.role },
      { header: 'DISABLED', value: (u) => (u.disabled ? 'yes' : 'no') },
      { header: 'CREATED BY', value: (u) => u.created_by },
      { header: 'AGE', value: (u) => formatAge(u.created_at, nowMs) },
    ],
    users,
  );
}

const USERNAME_ARG = ['<username>', 'user name', checkUsername] as const;

export function registerUserCommands(program: Command): void {
  const user = group(program, 'user', 'manage users (admin)', [
    'nebula user list',
    'nebula user create alice --role operator',
  ]);

  leaf(user, {
    name: 'list',
    description: 'list users',
    examples: ['nebula user list', 'nebula user list -o json'],
    run: listing(
      (ctx) => ctx.client().users.list(),
      (rows, ctx) => usersTable(rows, ctx.now()),
      'No users.',
    ),
  });

  leaf(user, {
    name: 'create',
    args: [USERNAME_ARG],
    description: 'create a user; the password is asked twice without echo (or read with --password-stdin)',
    options: [
      new Option('--role <role>', 'what the user may do').choices(Role.options).default('viewer'),
      ['--password-stdin', 'read the password from stdin'],
    ],
    examples: [
      'nebula user create alice --role operator',
      'printf "%s" "$PW" | nebula user create ci --role viewer --password-stdin',
    ],
    run: async (ctx, username) => {
      const password = await newPassword(ctx);
      if (password.length < 8) throw new UsageError('passwords have at least 8 characters');
      const u = await ctx
        .client()
        .users.create({ username, password, role: ctx.choice('role', Role.options) ?? 'viewer' });
      ctx.print(u, () => `User ${u.username} created (${u.role}).\n`);
    },
  });

  removal(user, {
    name: 'delete',
    alias: 'rm',
    args: [USERNAME_ARG],
    description: 'delete a user (asks first unless --yes)',
    examples: ['nebula user delete alice', 'nebula user delete ci --yes'],
    verb: 'delete',
    noun: 'user',
    remove: (ctx, username) => ctx.client().users.delete(username),
  });
}
