import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveOption } from './core/config.js';

export interface UpOptions {
  dataDir?: string;
}

export function defaultDataDir(): string {
  return join(homedir(), '.nebula', 'data');
}

/** `nebula up`: the all-in-one. */
export async function runUp(opts: UpOptions): Promise<void> {
  const dataDir = resolve(resolveOption(opts.dataDir, 'NEBULA_DATA_DIR', defaultDataDir()));
  mkdirSync(dataDir, { recursive: true });
  process.stdout.write(`nebula up: data dir ${dataDir}\n`);
}
