import type { Command } from 'commander';
import type { NodeCliFlags } from '../node/cli-options.js';
import { codeMatches, roleAction } from './role-action.js';
import { examplesText } from './define.js';

/** `nebula node`: the node agent (one per GPU machine). */
export function registerNodeCommand(program: Command): void {
  // Another command group may already own `node` (client subcommands such as `nebula node list`): the
  // agent is then that command's own action, used when no subcommand is given.
  const cmd = program.commands.find((c) => c.name() === 'node') ?? program.command('node');
  cmd
    .description(
      'run the node agent: heartbeat, GPUs, engines for the placements naming this node, admin API',
    )
    .option('--etcd <urls>', 'etcd client URLs, comma-separated (env NEBULA_ETCD)')
    .option('--etcd-namespace <prefix>', 'key prefix shared by this cluster (env NEBULA_ETCD_NAMESPACE)')
    .option('--node-id <id>', "this node's id (env NEBULA_NODE_ID; default: hostname)")
    .option(
      '--address <host>',
      'address the router and server reach this node at (env NEBULA_NODE_ADDRESS; default 127.0.0.1)',
    )
    .option('--gpus <mode>', 'auto (nvidia-smi) | none | sim:2x80GiB (env NEBULA_GPUS; default auto)')
    .option('--port-range <from-to>', 'ports engines may use (env NEBULA_PORT_RANGE; default 40000-40999)')
    .option('--data-dir <dir>', 'state file and engine logs (env NEBULA_DATA_DIR; default ~/.nebula/node)')
    .option('--cache-dir <dir>', 'model cache (env NEBULA_CACHE_DIR; default <data-dir>/models)')
    .option(
      '--cache-evict <policy>',
      'off | lru: at >= 95 % disk, delete unreferenced models, least recently used first (env NEBULA_CACHE_EVICT; default off)',
    )
    .option('--admin-port <port>', 'admin API and /metrics port (env NEBULA_NODE_ADMIN_PORT; default 9092)')
    .option(
      '--admin-host <host>',
      'admin API interface (env NEBULA_NODE_ADMIN_HOST; loopback unless a token is set)',
    )
    .option('--admin-token-file <file>', 'file holding the admin token (or env NEBULA_NODE_TOKEN)')
    .option('--labels <k=v,...>', 'node labels for node selectors (env NEBULA_NODE_LABELS)')
    .option('--keep-engines', 'on SIGTERM leave engines running for the next agent to adopt (upgrades)')
    .option(
      '--restart-backoff-initial <duration>',
      'a crashed engine restarts at once; a second crash in a row waits this, doubling (env NEBULA_NODE_RESTART_BACKOFF_INITIAL; default 10s)',
    )
    .option(
      '--restart-backoff-max <duration>',
      'longest wait between restarts (env NEBULA_NODE_RESTART_BACKOFF_MAX; default 5m)',
    )
    .option(
      '--restart-backoff-reset <duration>',
      'ready this long, the next crash restarts at once again (env NEBULA_NODE_RESTART_BACKOFF_RESET; default 10m)',
    )
    .option(
      '--restart-backoff-ms <duration>',
      'old spelling of --restart-backoff-initial (a bare number is milliseconds)',
    )
    .option(
      '--stop-grace-ms <duration>',
      'SIGTERM to SIGKILL when stopping an engine, e.g. 10s (a bare number is milliseconds; env NEBULA_NODE_STOP_GRACE_MS; default 10000)',
    )
    .option(
      '--drain-settle-ms <duration>',
      'a replica leaving the plan is shown draining this long before its in-flight requests are counted, so every router has dropped it (env NEBULA_NODE_DRAIN_SETTLE_MS; default 1500)',
    )
    .option(
      '--engine-bin <type=path>',
      'executable to launch for an engine, repeatable: llamacpp=/opt/llama/bin/llama-server, ' +
        'vllm=/opt/venv/bin/vllm, sglang=/opt/venv/bin/python3 (env NEBULA_ENGINE_BINS, comma-separated; ' +
        "default: nebula's installed engines, then the PATH)",
      (value: string, prev: string[] = []) => [...prev, value],
    )
    .option(
      '--orphan-grace <duration>',
      'engines left without their agent (kill -9, crash) are stopped after this unless a new agent adopts them; keep it + --stop-grace-ms under the scheduler --grace-period (env NEBULA_NODE_ORPHAN_GRACE; default 30s)',
    )
    .addHelpText(
      'after',
      examplesText([
        'nebula node --etcd http://10.0.0.1:2379 --node-id gpu-1 --address 10.0.0.11',
        'nebula node --etcd http://127.0.0.1:2379 --node-id sim-1 --gpus sim:2x80GiB --admin-port 9093',
        'NEBULA_NODE_TOKEN=secret nebula node --etcd http://10.0.0.1:2379 --labels zone=a,gpu=h100',
        'nebula node --etcd http://10.0.0.1:2379 --engine-bin vllm=/opt/venv/bin/vllm',
        'nebula node --etcd http://10.0.0.1:2379 --cache-dir /data/models --cache-evict lru',
      ]),
    )
    .action(
      // Bad flags or environment: one line and exit 2 (other failures exit 1 through runCli).
      roleAction<NodeCliFlags>(
        async () => (await import('../node/run-node.js')).runNodeAgent,
        codeMatches(/^INVALID/),
      ),
    );
}

/** `nebula node-watchdog` (hidden): started by the node agent, stops its engines when it dies for good. */
export function registerNodeWatchdogCommand(program: Command): void {
  program
    .command('node-watchdog', { hidden: true })
    .description('internal: stops the engines of a node agent that died and did not come back')
    .requiredOption('--data-dir <dir>', "the agent's data dir")
    .requiredOption('--agent-pid <pid>', "the agent's pid")
    .requiredOption('--agent-start <ticks>', "the agent's start time (/proc/<pid>/stat field 22)")
    .option('--agent-instance <id>', "the agent's lock instance id", '')
    .option(
      '--grace-ms <duration>',
      'wait for a new agent this long (a bare number is milliseconds)',
      '30000',
    )
    .option('--kill-grace-ms <duration>', 'SIGTERM to SIGKILL (a bare number is milliseconds)', '10000')
    .addHelpText(
      'after',
      examplesText([
        'nebula node-watchdog --data-dir ~/.nebula/node --agent-pid 4242 --agent-start 123456   # started by `nebula node`',
      ]),
    )
    .action(
      async (flags: {
        dataDir: string;
        agentPid: string;
        agentStart: string;
        agentInstance: string;
        graceMs: string;
        killGraceMs: string;
      }) => {
        const [{ runOrphanWatchdog }, { parseDuration }] = await Promise.all([
          import('../node/orphans/index.js'),
          import('../core/duration.js'),
        ]);
        const num = (raw: string, what: string) => {
          if (!/^[0-9]{1,12}$/.test(raw)) throw new Error(`${what}: "${raw}" is not a whole number`);
          return Number(raw);
        };
        const log = (line: string) => process.stdout.write(`${new Date().toISOString()} watchdog: ${line}\n`);
        const outcome = await runOrphanWatchdog(
          {
            dataDir: flags.dataDir,
            agent: {
              pid: num(flags.agentPid, '--agent-pid'),
              start_time: num(flags.agentStart, '--agent-start'),
              instance: flags.agentInstance || undefined,
            },
            graceMs: parseDuration(flags.graceMs, '--grace-ms', 'ms'),
            killGraceMs: parseDuration(flags.killGraceMs, '--kill-grace-ms', 'ms'),
          },
          { input: process.stdin, log },
        );
        log(`exiting (${outcome})`);
        process.exit(0);
      },
    );
}
