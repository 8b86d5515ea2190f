/**
 * `nebula admin backup` / `nebula admin restore`: the cluster's metadata to and from a JSON file. By
 * default through the control API (admin key); `--etcd URLS` or `--data-dir DIR` open the store directly
 * (offline: for a cluster whose server is down, or to seed a new store before its first start).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Backup, RestoreResult } from '../../store/backup.js';
import type { Store } from '../../store/types.js';
import { leaf } from '../define.js';
import { CliError, UsageError } from '../errors.js';
import { renderFields } from '../output/table.js';
import type { CommandContext } from '../runtime.js';

const OFFLINE_GROUP = 'Offline Options (open the store directly instead of using the server):';

function withOffline(cmd: Command): Command {
  cmd.addOption(new Option('--etcd <urls>', 'etcd client URLs, comma-separated').helpGroup(OFFLINE_GROUP));
  cmd.addOption(
    new Option(
      '--etcd-namespace <prefix>',
      'key prefix of the cluster in etcd (env NEBULA_ETCD_NAMESPACE)',
    ).helpGroup(OFFLINE_GROUP),
  );
  cmd.addOption(
    new Option('--data-dir <dir>', 'a `nebula up` data dir: its embedded store (<dir>/store.db)').helpGroup(
      OFFLINE_GROUP,
    ),
  );
  return cmd;
}

/** The store named by --etcd / --data-dir, or undefined to go through the server. */
async function openOffline(ctx: CommandContext, opts: { mustExist: boolean }): Promise<Store | undefined> {
  const etcd = ctx.str('etcd');
  const dataDir = ctx.str('dataDir');
  if (etcd !== undefined && dataDir !== undefined)
    throw new UsageError('give --etcd or --data-dir, not both');
  if (etcd !== undefined) {
    const endpoints = etcd
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (endpoints.length === 0) throw new UsageError('--etcd needs at least one URL');
    const namespace = ctx.str('etcdNamespace') ?? ctx.io.env['NEBULA_ETCD_NAMESPACE'];
    const { openEtcdStore } = await import('../../store/etcd/index.js');
    return openEtcdStore({ endpoints, ...(namespace ? { namespace } : {}) });
  }
  if (dataDir !== undefined) {
    const path = join(resolve(dataDir), 'store.db');
    if (opts.mustExist && !existsSync(path)) {
      throw new CliError(
        `no embedded store at ${path} (is --data-dir a nebula up data dir?)`,
        'STORE_NOT_FOUND',
      );
    }
    const { openEmbeddedStore } = await import('../../store/embedded/index.js');
    const { StoreUnavailableError } = await import('../../store/errors.js');
    try {
      return await openEmbeddedStore({ path, lockTimeoutMs: 500, autoCompact: false });
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        throw new CliError(
          `the embedded store ${path} is locked by a running \`nebula up\`: stop it first, or drop --data-dir to go through its server`,
          'STORE_LOCKED',
        );
      }
      throw err;
    }
  }
  return undefined;
}

/** Runs `offline` on the store when one was named (closing it afterwards), else `online` through the server. */
async function offlineOr<R>(
  store: Store | undefined,
  offline: (s: Store, backup: typeof import('../../store/backup.js')) => Promise<R>,
  online: () => Promise<R>,
): Promise<R> {
  if (!store) return online();
  const backup = await import('../../store/backup.js');
  try {
    return await offline(store, backup);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Writes atomically with mode 0600: the file holds password and API key hashes. */
function writePrivate(file: string, text: string): void {
  const tmp = join(dirname(file), `.${Date.now()}-${process.pid}.nebula-backup.tmp`);
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

function readBackupFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 'FILE_UNREADABLE');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(
      `${file} is not JSON (expected a file written by nebula admin backup)`,
      'INVALID_BACKUP',
    );
  }
}

function requireFile(ctx: CommandContext): string {
  const file = ctx.str('file');
  if (file === undefined || file === '') throw new UsageError('give the backup file with -f FILE');
  return file;
}

export function registerBackupCommands(admin: Command): void {
  leaf(admin, {
    name: 'backup',
    description: 'write every Nebula key of the store, read at one revision, to a JSON file (mode 0600)',
    options: [
      ['-f, --file <file>', 'where to write the backup ("-" for stdout)'],
      [
        '--include-secrets',
        'also write the session signing secret (whoever holds the file can then mint sessions; audited)',
      ],
    ],
    trailing: [withOffline],
    examples: [
      'nebula admin backup -f nebula-backup.json',
      'nebula admin backup -f - > backup.json',
      'nebula admin backup -f backup.json --etcd http://10.0.0.1:2379,http://10.0.0.2:2379',
      'nebula admin backup -f backup.json --data-dir ~/.nebula/data   # while nebula up is stopped',
      'nebula admin backup -f full-backup.json --include-secrets      # keeps sessions valid across a restore',
    ],
    run: async (ctx) => {
      const file = requireFile(ctx);
      const includeSecrets = ctx.bool('includeSecrets');
      const store = await openOffline(ctx, { mustExist: true });
      const b: Backup = await offlineOr(
        store,
        (s, { backupStore }) => backupStore(s, { includeSecrets }),
        () => ctx.client().admin.backup({ include_secrets: includeSecrets }),
      );
      const text = `${JSON.stringify(b, null, 1)}\n`;
      if (file === '-') {
        ctx.out(text);
        return;
      }
      writePrivate(file, text);
      const leased = b.keys.filter((k) => k.lease).length;
      const secrets = b.secrets_included ?? false;
      const summary = {
        file,
        revision: b.revision,
        keys: b.keys.length,
        leased,
        created_at: b.created_at,
        secrets_included: secrets,
      };
      ctx.print(summary, () =>
        renderFields([
          ['Backup', file],
          ['Revision', b.revision],
          ['Keys', `${b.keys.length - leased} restorable, ${leased} leased (kept for reading, not restored)`],
          [
            'Secrets',
            secrets
              ? 'included: the session signing secret is in this file'
              : "not included (a restore keeps the target store's signing secret)",
          ],
          ['Created', b.created_at],
        ]),
      );
    },
  });

  leaf(admin, {
    name: 'restore',
    description: 'write a backup into the store; refused when it already has Nebula keys, unless --force',
    options: [
      ['-f, --file <file>', 'backup file written by nebula admin backup'],
      ['--force', 'replace the keys of a non-empty store (keys the backup lacks are deleted)'],
    ],
    trailing: [withOffline],
    examples: [
      'nebula admin restore -f nebula-backup.json',
      'nebula admin restore -f nebula-backup.json --force',
      'nebula admin restore -f backup.json --etcd http://10.0.0.1:2379   # before starting the roles',
    ],
    run: async (ctx) => {
      const file = requireFile(ctx);
      const { parseBackup } = await import('../../store/backup.js');
      // Checked here first: a bad file gets its one-line reason without touching anything.
      const b = parseBackup(readBackupFile(file));
      const force = ctx.bool('force');
      const store = await openOffline(ctx, { mustExist: false });
      const r: RestoreResult = await offlineOr(
        store,
        (s, { restoreStore }) => restoreStore(s, b, { force }),
        () => ctx.client().admin.restore(b, { force }),
      );
      ctx.print({ file, backup_revision: b.revision, ...r }, () =>
        renderFields([
          ['Restored', `${r.restored} key(s) from ${file} (backup revision ${b.revision})`],
          ['Deleted', r.deleted],
          ['Skipped', `${r.skipped_leased} leased key(s)`],
          ['Revision', r.revision],
          ...(store ? [] : [['Note', 'restart the server(s) so they reload secrets and caches'] as const]),
        ]),
      );
    },
  });
}
