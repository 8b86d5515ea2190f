/** `nebula engine list`: the engines each node can launch, with version and executable. */
import { Option, type Command } from 'commander';
import { EngineType } from '../../core/domain/index.js';
import type { EngineRow } from '../../client/index.js';
import { leaf } from '../define.js';
import type { Style } from '../output/style.js';
import { renderTable } from '../output/table.js';
import { checkNodeId } from './cache.js';
import { engineGroup } from './engine.js';

/** What is wrong with an unusable engine, without the path the row shows already. */
function problem(r: EngineRow): string {
  const e = r.error ?? 'unusable';
  return r.path !== null && e.startsWith(`${r.path} `) ? e.slice(r.path.length + 1) : e;
}

export function enginesTable(rows: readonly EngineRow[], style: Style): string {
  return renderTable(
    [
      { header: 'NODE', value: (r) => r.node_id },
      { header: 'ENGINE', value: (r) => r.type },
      { header: 'VERSION', value: (r) => r.version ?? undefined },
      { header: 'PATH', value: (r) => r.path ?? undefined },
      {
        header: 'STATUS',
        value: (r) => (r.status === 'available' ? 'available' : `unusable: ${problem(r)}`),
        decorate: (t) => (t === 'available' ? style.green(t) : style.red(t)),
      },
    ],
    rows,
  );
}

/** Registers `nebula engine list` under the `engine` group (engine.ts, with `nebula engine install`). */
export function registerEngineListCommand(program: Command): void {
  leaf(engineGroup(program), {
    name: 'list',
    description:
      'list the engines each node can launch: type, version, executable (and unusable ones, with why)',
    options: [
      ['--node <node_id>', 'only this node'],
      new Option('--type <engine>', 'only this engine').choices(EngineType.options),
    ],
    examples: [
      'nebula engine list',
      'nebula engine list --type llamacpp',
      'nebula engine list --node gpu-1 -o yaml',
    ],
    run: async (ctx) => {
      const node = ctx.str('node');
      const type = ctx.choice('type', EngineType.options);
      const res = await ctx.client().engines.list({
        ...(node !== undefined ? { node_id: checkNodeId(node) } : {}),
        ...(type !== undefined ? { type } : {}),
      });
      ctx.printList(res.items, (rows) => enginesTable(rows, ctx.style), 'No node reports engines.');
      if (res.unreported_nodes.length > 0) {
        ctx.err(
          `Not reporting engines (older node agent; any engine may be placed there): ${res.unreported_nodes.join(', ')}\n`,
        );
      }
    },
  });
}
