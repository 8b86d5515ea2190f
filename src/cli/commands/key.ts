/** `nebula key create|list|revoke`: API keys for scripts and the router (the secret is shown once). */
import { Option, type Command } from 'commander';
import { Role } from '../../core/domain/index.js';
import { durationMs } from '../../core/duration.js';
import { formatRate, parseRate } from '../../core/rate.js';
import type { ApiKeyView, CreateApiKeyRequest, UpdateApiKeyRequest } from '../../client/index.js';
import { group, leaf, listing, removal, required } from '../define.js';
import { UsageError } from '../errors.js';
import { formatAge } from '../output/human.js';
import { renderFields, renderTable } from '../output/table.js';

function keyState(k: ApiKeyView, nowMs = Date.now()): string {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && Date.parse(k.expires_at) <= nowMs) return 'expired';
  return 'active';
}

export function keysTable(keys: readonly ApiKeyView[], nowMs: number): string {
  return renderTable(
    [
      { header: 'ID', value: (k) => k.id },
      { header: 'NAME', value: (k) => k.name, maxWidth: 32 },
      { header: 'PREFIX', value: (k) => k.prefix },
      { header: 'ROLE', value: (k) => k.role },
      { header: 'OWNER', value: (k) => k.owner },
      { header: 'STATE', value: (k) => keyState(k, nowMs) },
      { header: 'EXPIRES', value: (k) => k.expires_at ?? 'never' },
      { header: 'RATE LIMIT', value: (k) => (k.rate_limit ? formatRate(k.rate_limit) : 'default') },
      {
        header: 'LAST USED',
        value: (k) => (k.last_used_at ? `${formatAge(k.last_used_at, nowMs)} ago` : 'never'),
      },
    ],
    keys,
  );
}

/** `--rate-limit` text, checked here for a clear usage error (the server validates it again). */
function rateLimitFlag(raw: string | undefined): string | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'default' || raw === 'none') return null;
  const r = parseRate(raw);
  if (typeof r === 'string') throw new UsageError(`--rate-limit: ${r}`);
  return raw;
}

const KEY_ID_ARG = ['<key_id>', 'the key id (see: nebula key list)', checkKeyId] as const;

function checkKeyId(id: string): string {
  if (!/^[a-z0-9]{8,32}$/.test(id)) throw new UsageError(`invalid key id "${id}"`, 'INVALID_ID');
  return id;
}

export function registerKeyCommands(program: Command): void {
  const key = group(program, 'key', 'manage API keys', [
    'nebula key create --name ci --role operator --expires 30d',
    'nebula key create --name batch --rate-limit 60/min',
    'nebula key update 3f9a1c0b --rate-limit 10/s:burst=20',
    'nebula key list',
    'nebula key revoke 3f9a1c0b',
  ]);

  leaf(key, {
    name: 'create',
    description: 'create an API key; its secret is printed once, keep it safe',
    options: [
      required('--name <name>', 'what the key is for'),
      new Option('--role <role>', 'role of the key (at most your own)').choices(Role.options),
      ['--expires <duration>', 'lifetime such as 90m, 12h or 30d (default: never)'],
      [
        '--rate-limit <rate>',
        'router rate limit such as 60/min or 10/s:burst=20 (admin; default: the router default)',
      ],
    ],
    examples: [
      'nebula key create --name ci --role operator --expires 30d',
      'nebula key create --name grafana --role viewer -o json',
    ],
    run: async (ctx) => {
      const expires = ctx.str('expires');
      // The one duration grammar (core/duration); the server checks the range (1 minute to 10 years).
      if (expires !== undefined && durationMs(expires) === undefined) {
        throw new UsageError(`--expires must look like 90m, 12h or 30d (got "${expires}")`);
      }
      const body: CreateApiKeyRequest = { name: ctx.str('name') ?? '' };
      const role = ctx.choice('role', Role.options);
      if (role !== undefined) body.role = role;
      if (expires !== undefined) body.expires_in = expires;
      const rate = rateLimitFlag(ctx.str('rateLimit'));
      if (rate === null) throw new UsageError('--rate-limit on create needs a rate such as 60/min');
      if (rate !== undefined) body.rate_limit = rate;
      const k = await ctx.client().keys.create(body);
      ctx.print(
        k,
        () =>
          renderFields([
            ['ID', k.id],
            ['Name', k.name],
            ['Role', k.role],
            ['Expires', k.expires_at ?? 'never'],
            ['Rate limit', k.rate_limit ? formatRate(k.rate_limit) : 'router default'],
            ['Key', k.key],
          ]) + 'The key is shown only now: store it somewhere safe.\n',
      );
    },
  });

  leaf(key, {
    name: 'list',
    description: 'list API keys (yours; all of them with --all, admin)',
    options: [['--all', "every user's keys"]],
    examples: ['nebula key list', 'nebula key list --all -o json'],
    run: listing(
      (ctx) => ctx.client().keys.list({ all: ctx.bool('all') }),
      (rows, ctx) => keysTable(rows, ctx.now()),
      'No API keys.',
    ),
  });

  leaf(key, {
    name: 'update',
    args: [KEY_ID_ARG],
    description: 'rename a key or change its rate limit (routers apply it within seconds)',
    options: [
      ['--name <name>', 'new name'],
      ['--rate-limit <rate>', 'rate such as 60/min or 10/s:burst=20, or "default" (admin)'],
    ],
    examples: [
      'nebula key update 3f9a1c0b --rate-limit 60/min',
      'nebula key update 3f9a1c0b --rate-limit default',
    ],
    run: async (ctx, id) => {
      const body: UpdateApiKeyRequest = ctx.strs({ name: 'name' });
      const rate = rateLimitFlag(ctx.str('rateLimit'));
      if (rate !== undefined) body.rate_limit = rate;
      if (Object.keys(body).length === 0) throw new UsageError('give --name and/or --rate-limit');
      const k = await ctx.client().keys.update(id, body);
      ctx.print(k, () =>
        renderFields([
          ['ID', k.id],
          ['Name', k.name],
          ['Rate limit', k.rate_limit ? formatRate(k.rate_limit) : 'router default'],
        ]),
      );
    },
  });

  removal(key, {
    name: 'revoke',
    args: [KEY_ID_ARG],
    description: 'revoke an API key at once (asks first unless --yes)',
    examples: ['nebula key revoke 3f9a1c0b --yes'],
    verb: 'revoke',
    noun: 'API key',
    short: 'key',
    remove: (ctx, id) => ctx.client().keys.revoke(id),
  });
}
