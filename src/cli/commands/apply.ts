/**
 * `nebula apply -f FILE` and `nebula delete -f FILE`: declare many models and templates in one YAML/JSON
 * file and make the cluster match. `--dry-run` prints what would change, field by field, and changes nothing.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatChanges } from '../apply/diff.js';
import {
  documentName,
  parseDocuments,
  type ApplyDocument,
  type ModelDocument,
  type TemplateDocument,
} from '../apply/documents.js';
import {
  modelCreateBody,
  modelUpdateSteps,
  planModel,
  planTemplate,
  summarizePlan,
  templateCreateBody,
  templateUpdateBody,
  type PlanEntry,
} from '../apply/plan.js';
import type { CreateModelRequest, CreateTemplateRequest, NebulaClient } from '../../client/index.js';
import { examples, withConnection, withOutput } from '../define.js';
import { UsageError } from '../errors.js';
import { confirm, readAllStdin } from '../prompt.js';
import { action, type CommandContext } from '../runtime.js';

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown };
  return (typeof e.code === 'string' && e.code.endsWith('NOT_FOUND')) || e.status === 404;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function readDocuments(ctx: CommandContext): Promise<ApplyDocument[]> {
  const file = ctx.str('filename');
  if (file === undefined) throw new UsageError('-f FILE is required (use - for stdin)');
  let text: string;
  if (file === '-') text = await readAllStdin(ctx.io);
  else {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        'FILE_UNREADABLE',
      );
    }
  }
  return parseDocuments(text, file === '-' ? 'stdin' : file);
}

async function plan(client: NebulaClient, docs: readonly ApplyDocument[]): Promise<PlanEntry[]> {
  const entries: PlanEntry[] = [];
  for (const doc of docs) {
    if (doc.kind === 'Model') {
      const current = await orUndefined(client.models.get(doc.model_uid));
      entries.push(
        planModel(doc, current ? { spec: current.spec, deployment: current.deployment } : undefined),
      );
    } else {
      const current = await orUndefined(client.templates.get(doc.template_id));
      entries.push(planTemplate(doc, current));
    }
  }
  return entries;
}

/** The plan as people read it: one line per object, changed fields indented under updates. */
export function planText(entries: readonly PlanEntry[]): string {
  return entries
    .map((e) => `${e.name}: ${e.action}\n${e.action === 'update' ? formatChanges(e.changes) : ''}`)
    .join('');
}

function planData(entries: readonly PlanEntry[]): unknown[] {
  return entries.map((e) => ({ kind: e.doc.kind, name: e.name, action: e.action, changes: e.changes }));
}

async function execute(client: NebulaClient, entry: PlanEntry): Promise<string> {
  if (entry.action === 'unchanged') return 'unchanged';
  if (entry.doc.kind === 'Model') {
    const doc: ModelDocument = entry.doc;
    if (entry.action === 'create') {
      // The document schema has checked these bodies; src/cli/apply builds them untyped (the server checks again).
      await client.models.create(modelCreateBody(doc) as CreateModelRequest);
      return doc.desired_state === 'running' ? 'created and started' : 'created';
    }
    const steps = modelUpdateSteps({ ...entry, doc });
    if (steps.update) await client.models.update(doc.model_uid, steps.update);
    if (steps.lifecycle === 'start')
      await client.models.start(doc.model_uid, doc.replicas === undefined ? {} : { replicas: doc.replicas });
    if (steps.lifecycle === 'stop') await client.models.stop(doc.model_uid);
    return steps.lifecycle
      ? `configured and ${steps.lifecycle === 'start' ? 'started' : 'stopped'}`
      : 'configured';
  }
  const doc: TemplateDocument = entry.doc;
  if (entry.action === 'create')
    await client.templates.create(templateCreateBody(doc) as CreateTemplateRequest);
  else await client.templates.update(doc.template_id, templateUpdateBody({ ...entry, doc }));
  return entry.action === 'create' ? 'created' : 'configured';
}

export function registerApplyCommands(program: Command): void {
  const apply = program
    .command('apply')
    .description(
      'create or update the models and templates of a YAML/JSON file (kind: Model / kind: Template)',
    )
    .option('-f, --filename <file>', 'the file (- for stdin)')
    .option(
      '--dry-run',
      'print what would change (create / update with the changed fields / unchanged) and change nothing',
    );
  withConnection(withOutput(apply));
  examples(apply, [
    'nebula apply -f models.yaml --dry-run',
    'nebula apply -f models.yaml',
    'cat models.json | nebula apply -f -',
    '',
    'models.yaml:',
    '  kind: Model',
    '  model_uid: qwen-small',
    '  model_name: Qwen/Qwen2.5-0.5B-Instruct',
    '  engine_type: vllm',
    '  replicas: 2',
    '  desired_state: running',
    '  ---',
    '  kind: Template',
    '  template_id: qwen-small',
    '  name: Qwen 0.5B chat',
    '  spec: { model_name: Qwen/Qwen2.5-0.5B-Instruct, engine_type: vllm }',
  ]);
  apply.action(
    action(async (ctx) => {
      const docs = await readDocuments(ctx);
      const client = ctx.client();
      const entries = await plan(client, docs);
      if (ctx.bool('dryRun')) {
        ctx.print(
          planData(entries),
          () => `${planText(entries)}${summarizePlan(entries)} (dry run: nothing changed)\n`,
        );
        return;
      }
      const results: unknown[] = [];
      for (const entry of entries) {
        const outcome = await execute(client, entry);
        results.push({
          kind: entry.doc.kind,
          name: entry.name,
          action: entry.action,
          result: outcome,
          changes: entry.changes,
        });
        if (ctx.format === 'table') ctx.out(`${entry.name} ${outcome}\n`);
      }
      if (ctx.format !== 'table') ctx.print(results, () => '');
    }),
  );

  const del = program
    .command('delete')
    .description('delete the models and templates a YAML/JSON file names (asks first unless --yes)')
    .option('-f, --filename <file>', 'the file (- for stdin)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--purge', "also remove the models' cached files from the nodes");
  withConnection(del);
  examples(del, ['nebula delete -f models.yaml', 'nebula delete -f models.yaml --yes --purge']);
  del.action(
    action(async (ctx) => {
      const docs = await readDocuments(ctx);
      const names = docs.map(documentName);
      if (
        !ctx.bool('yes') &&
        !(await confirm(ctx.io, `Delete ${names.join(', ')}?`, `delete ${names.length} object(s)`))
      ) {
        ctx.err('Nothing deleted.\n');
        return;
      }
      const client = ctx.client();
      for (const doc of docs) {
        const request =
          doc.kind === 'Model'
            ? client.models.delete(doc.model_uid, ctx.bool('purge') ? { purge: true } : {})
            : client.templates.delete(doc.template_id);
        const deleted = await orUndefined(request.then(() => true));
        ctx.out(`${documentName(doc)} ${deleted ? 'deleted' : 'not found (skipped)'}\n`);
      }
    }),
  );
}
