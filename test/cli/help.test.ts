import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { tempDir } from '../helpers/tmp.js';
import { cliFor } from './harness.js';

const ROLES = new Set(['up', 'server', 'router', 'scheduler', 'engine-sim']);

/** Every client command, as its argv path (`['model', 'create']`). */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const sub of cmd.commands) {
    if (sub.name() === 'help' || (prefix.length === 0 && ROLES.has(sub.name()))) continue;
    const path = [...prefix, sub.name()];
    // `nebula node` itself is the node agent role; its client subcommands are checked below.
    if (!(prefix.length === 0 && sub.name() === 'node')) out.push(path);
    out.push(...commandPaths(sub, path));
  }
  return out;
}

describe('help', () => {
  it('every client command has examples, and --help exits 0', async () => {
    const home = tempDir('nebula-cli-help-');
    try {
      const cli = cliFor(home.path);
      const paths = commandPaths(buildProgram());
      expect(paths.length).toBeGreaterThan(50);
      for (const path of paths) {
        const r = await cli([...path, '--help']);
        expect({ path, code: r.code, stderr: r.stderr }).toEqual({ path, code: 0, stderr: '' });
        expect(r.stdout, path.join(' ')).toMatch(/\nExamples:\n {2}nebula /);
      }
    } finally {
      home.cleanup();
    }
  });

  it('prints the version and usage errors in one line', async () => {
    const home = tempDir('nebula-cli-help-');
    try {
      const cli = cliFor(home.path);
      const v = await cli(['--version']);
      expect(v.code).toBe(0);
      expect(v.stdout).toMatch(/^\d+\.\d+\.\d+/);
      expect(await cli(['nonsense'])).toEqual({
        code: 2,
        stdout: '',
        stderr: "error: unknown command 'nonsense' (USAGE)\n",
      });
      const group = await cli(['model']);
      expect(group.code).toBe(2);
      expect(group.stderr).toMatch(/^Usage: nebula model/);
    } finally {
      home.cleanup();
    }
  });
});
