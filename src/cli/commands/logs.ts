/** `nebula logs MODEL [--replica N] [--tail N] [-f]`: a model's engine logs, fetched through the server. */
import type { Command } from 'commander';
import { checkModelUid } from '../args.js';
import type { NebulaClient } from '../../client/index.js';
import { examples, withConnection } from '../define.js';
import { CliError } from '../errors.js';
import { action, type CommandContext } from '../runtime.js';

/** Replicas of a model that have (or had) a place on a node, in id order. */
async function replicaIds(client: NebulaClient, uid: string): Promise<number[]> {
  const m = await client.models.get(uid);
  const ids = new Set<number>([
    ...m.endpoints.map((e) => e.replica_id),
    ...(m.plan?.assignments.map((a) => a.replica_id) ?? []),
  ]);
  return [...ids].sort((a, b) => a - b);
}

function prefixer(ctx: CommandContext, replica: number, multi: boolean): (line: string) => string {
  if (!multi) return (line) => line;
  const tag = ctx.style.cyan(`[replica ${replica}]`);
  return (line) => `${tag} ${line}`;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

export function registerLogsCommand(program: Command): void {
  const logs = program
    .command('logs')
    .argument('<model_uid>', 'the model')
    .description("show a model's engine logs (every replica, or one with --replica)")
    .option('-r, --replica <n>', 'only this replica')
    .option('-n, --tail <n>', 'lines from the end of each log', '200')
    .option('-f, --follow', 'keep printing new lines as they are written (Ctrl-C stops)');
  withConnection(logs);
  examples(logs, [
    'nebula logs qwen2-5-7b',
    'nebula logs qwen2-5-7b --replica 1 --tail 50',
    'nebula logs qwen2-5-7b -f',
  ]);
  logs.action(
    action(async (ctx, uidArg) => {
      const uid = checkModelUid(uidArg);
      const tail = ctx.int('tail', 1, 10_000);
      const replica = ctx.optInt('replica', 0, 9999);
      const client = ctx.client();
      const replicas = replica === undefined ? await replicaIds(client, uid) : [replica];
      if (replicas.length === 0)
        throw new CliError(
          `model ${uid} has no replicas placed on a node (is it running?)`,
          'REPLICA_NOT_FOUND',
        );
      const multi = replicas.length > 1;

      if (!ctx.bool('follow')) {
        for (const r of replicas) {
          const text = await client.models.logs(uid, r, { tail });
          const tag = prefixer(ctx, r, multi);
          for (const line of withNewline(text).split('\n').slice(0, -1)) ctx.out(`${tag(line)}\n`);
        }
        return;
      }
      // Follow every replica at once; lines are printed as they come, tagged when there are several.
      await Promise.all(
        replicas.map(async (r) => {
          const tag = prefixer(ctx, r, multi);
          for await (const line of client.models.followLogs(uid, r, { tail })) ctx.out(`${tag(line)}\n`);
        }),
      );
    }),
  );
}
