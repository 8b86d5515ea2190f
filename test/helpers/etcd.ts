import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, waitFor } from './ports.js';
import { tempDir } from './tmp.js';

export interface EtcdProcess {
  /** Client URL, e.g. http://127.0.0.1:23791 */
  endpoint: string;
  clientPort: number;
  dataDir: string;
  /** Stops the process (SIGTERM), keeping its data dir. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data dir. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

const ETCD_BIN = process.env['NEBULA_TEST_ETCD_BIN'] ?? '/usr/bin/etcd';

/** Starts a real single-member etcd (Debian etcd-server) on free loopback ports with a temp data dir. */
export async function startEtcd(): Promise<EtcdProcess> {
  if (!existsSync(ETCD_BIN)) {
    throw new Error(`etcd not found at ${ETCD_BIN}: install Debian's etcd-server (the .ci/run script does)`);
  }
  const dir = tempDir('nebula-etcd-');
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    child = spawn(
      ETCD_BIN,
      [
        '--name', 'test',
        '--data-dir', dir.path,
        '--listen-client-urls', endpoint,
        '--advertise-client-urls', endpoint,
        '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
        '--initial-cluster', `test=http://127.0.0.1:${peerPort}`,
        '--log-level', 'error',
        '--logger', 'zap',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch } },
    );
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const proc = child;
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}: ${output.slice(-2000)}`);
        const res = await fetch(`${endpoint}/health`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'etcd /health' },
    );
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  };

  await start();
  return {
    endpoint,
    clientPort,
    dataDir: dir.path,
    stop,
    start,
    destroy: async () => {
      await stop();
      dir.cleanup();
    },
  };
}
