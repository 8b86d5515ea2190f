import type { Command } from 'commander';
import { registerEngineSimCommand } from './role-engine-sim.js';
import { registerNodeCommand, registerNodeWatchdogCommand } from './role-node.js';
import { registerRouterCommand } from './role-router.js';
import { registerSchedulerCommand } from './role-scheduler.js';
import { registerServerCommand } from './role-server.js';

/** Server-side roles: `up`, `server`, `router`, `scheduler`, `node`, `engine-sim`. */
export function registerRoleCommands(program: Command): void {
  registerEngineSimCommand(program);
  registerNodeCommand(program);
  registerNodeWatchdogCommand(program);
  registerRouterCommand(program);
  registerSchedulerCommand(program);
  registerServerCommand(program);
  program
    .command('up')
    .description('run the all-in-one on this machine: embedded store and every role in one process')
    .option(
      '--data-dir <dir>',
      'state, logs and the model cache (env NEBULA_DATA_DIR, default ~/.nebula/data)',
    )
    .option(
      '--host <addr>',
      'listen address of the console/API and the router (env NEBULA_HOST, default 0.0.0.0)',
    )
    .option('--server-port <port>', 'control API + console port (env NEBULA_SERVER_PORT, default 8080)')
    .option('--router-port <port>', 'OpenAI-compatible router port (env NEBULA_ROUTER_PORT, default 8000)')
    .option('--grpc-port <port>', 'router gRPC port (env NEBULA_GRPC_PORT, default 8001)')
    .option(
      '--scheduler-port <port>',
      'scheduler /healthz + /metrics port (env NEBULA_SCHEDULER_PORT, default 9091)',
    )
    .option('--node-admin-port <port>', 'node admin API port (env NEBULA_NODE_ADMIN_PORT, default 9092)')
    .option('--node-id <id>', "this node's id (env NEBULA_NODE_ID, default the hostname)")
    .option(
      '--gpus <spec>',
      'auto | none | sim:2x80GiB (env NEBULA_GPUS; default auto, simulated when no GPU is found)',
    )
    .option('--port-range <range>', 'ports for engines (env NEBULA_PORT_RANGE, default 40000-40999)')
    .option('--hf-endpoint <url>', 'Hugging Face base URL, e.g. a mirror (env HF_ENDPOINT)')
    .option('--modelscope-endpoint <url>', 'ModelScope base URL (env MODELSCOPE_ENDPOINT)')
    .option(
      '--engine-bin <type=path>',
      'executable to launch for an engine, repeatable, e.g. llamacpp=/opt/llama/bin/llama-server (env NEBULA_ENGINE_BINS)',
      (value: string, prev: string[] = []) => [...prev, value],
    )
    .option(
      '--cache-evict <policy>',
      'off | lru: at >= 95 % disk, delete unreferenced cached models, least recently used first (env NEBULA_CACHE_EVICT; default off)',
    )
    .option('--log-stderr', 'write JSON logs to stderr instead of <data-dir>/logs/nebula.log')
    .option(
      '--restart-backoff-initial <duration>',
      'a crashed engine restarts at once; a second crash in a row waits this, doubling (default 10s)',
    )
    .option('--restart-backoff-max <duration>', 'longest wait between engine restarts (default 5m)')
    .option(
      '--restart-backoff-reset <duration>',
      'ready this long, the next crash restarts at once (default 10m)',
    )
    .option(
      '--orphan-grace <duration>',
      'engines left by a killed nebula up are stopped after this (default 30s)',
    )
    .option(
      '--first-byte-timeout <duration>',
      "router: longest wait for an engine's first byte (default 10m)",
    )
    .option('--idle-timeout <duration>', 'router: longest silence inside a streamed answer (default 60s)')
    .option('--hold-max <n>', 'router: requests held per idle (autoscaled) model while it wakes (default 256)')
    .option('--hold-timeout <duration>', 'router: longest a request waits for an idle model to wake (default 5m)')
    .option(
      '--rate-limit <rate>',
      'router limit per API key / token / session without its own, e.g. 600/min or 10/s:burst=20, or "off" (env NEBULA_RATE_LIMIT, default 10/s:burst=20)',
    )
    .addHelpText(
      'after',
      `
Examples:
  nebula up
  nebula up --data-dir /var/lib/nebula --gpus sim:4x80GiB
  nebula up --server-port 9080 --router-port 9000 --hf-endpoint https://hf-mirror.example.com
  nebula up --cache-evict lru
  nebula up --restart-backoff-initial 5s --restart-backoff-max 2m --idle-timeout 30s
  nebula up --rate-limit 600/min:burst=50      # per-key default; set a key's own with: nebula key update <id> --rate-limit ...
`,
    )
    .action(async (opts: import('../up.js').UpOptions) => {
      const { runUp } = await import('../up.js');
      await runUp(opts);
    });
}
