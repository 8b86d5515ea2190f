/**
 * The in-process all-in-one (`startUp`) for suites and benchmarks: every port 0 on 127.0.0.1, the data dir
 * and CLI context under one directory, and the admin key already read, with an API client and an OpenAI
 * client on the router.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { createClient, type NebulaClient } from '../../src/client/index.js';
import { startUp, type UpHandle, type UpOptions } from '../../src/up.js';

/** A sink that drops `nebula up`'s console output. */
export const silentSink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

export interface TestUp {
  up: UpHandle;
  /** The admin API key `nebula up` wrote. */
  token: string;
  client: NebulaClient;
  /** OpenAI client on the router's /v1 with the admin key, no retries. */
  openai: OpenAI;
  stop(): Promise<void>;
}

export interface TestUpExtras {
  /** Where `nebula up` writes its console output (default: dropped). */
  out?: { write(text: string): unknown };
  /** The OpenAI client's request timeout (default: the library's). */
  openaiTimeoutMs?: number;
}

/**
 * The all-in-one's options in a test: every port 0 on 127.0.0.1, node `aio` on one simulated 24 GiB GPU
 * unless `overrides` say otherwise.
 */
export function testUpOptions(dataDir: string, cliConfig: string, overrides: UpOptions = {}): UpOptions {
  return {
    dataDir,
    host: '127.0.0.1',
    serverPort: '0',
    routerPort: '0',
    grpcPort: '0',
    schedulerPort: '0',
    nodeAdminPort: '0',
    nodeId: 'aio',
    gpus: 'sim:1x24GiB',
    cliConfig,
    ...overrides,
  };
}

/**
 * Starts the all-in-one (`testUpOptions`) with its data under `<dir>/data` and its CLI context in
 * `<dir>/config.yaml`.
 */
export async function startTestUp(
  dir: string,
  overrides: UpOptions = {},
  extras: TestUpExtras = {},
): Promise<TestUp> {
  const up = await startUp(
    testUpOptions(join(dir, 'data'), join(dir, 'config.yaml'), overrides),
    extras.out ?? silentSink(),
  );
  const token = readFileSync(up.adminKeyPath, 'utf8').trim();
  return {
    up,
    token,
    client: createClient({ baseUrl: up.serverUrl, token }),
    openai: new OpenAI({
      baseURL: `${up.routerUrl}/v1`,
      apiKey: token,
      maxRetries: 0,
      ...(extras.openaiTimeoutMs !== undefined ? { timeout: extras.openaiTimeoutMs } : {}),
    }),
    stop: () => up.stop(),
  };
}
