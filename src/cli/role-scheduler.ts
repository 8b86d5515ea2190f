import type { Command } from 'commander';
import type { SchedulerCliFlags } from '../scheduler/cli-options.js';
import { codeMatches, roleAction } from './role-action.js';
import { examplesText } from './define.js';

/** `nebula scheduler`: places replicas on GPUs (one leader at a time; run two or three for failover). */
export function registerSchedulerCommand(program: Command): void {
  program
    .command('scheduler')
    .description(
      'run the scheduler: places model replicas on GPUs of nodes, leader-elected, /healthz + /metrics',
    )
    .option('--etcd <urls>', 'etcd client URLs, comma-separated (env NEBULA_ETCD)')
    .option('--etcd-namespace <prefix>', 'key prefix shared by this cluster (env NEBULA_ETCD_NAMESPACE)')
    .option(
      '--instance-id <id>',
      'id under /components/scheduler/ (env NEBULA_SCHEDULER_INSTANCE_ID; default host-pid)',
    )
    .option(
      '--metrics-port <port>',
      'port of /healthz and /metrics, 0 = random (env NEBULA_SCHEDULER_METRICS_PORT; default 9091)',
    )
    .option(
      '--host <host>',
      'interface for /healthz and /metrics (env NEBULA_SCHEDULER_HOST; default 0.0.0.0)',
    )
    .option(
      '--grace-period <duration>',
      're-place replicas of a node gone this long (env NEBULA_SCHEDULER_GRACE_PERIOD; default 50s)',
    )
    .option(
      '--lease-ttl <duration>',
      'leadership lease; failover takes about this long (env NEBULA_SCHEDULER_LEASE_TTL; default 10s)',
    )
    .addHelpText(
      'after',
      examplesText([
        'nebula scheduler --etcd http://10.0.0.1:2379',
        'nebula scheduler --etcd http://h1:2379,http://h2:2379 --instance-id sched-b --grace-period 2m',
        'curl -s localhost:9091/healthz     # {"status":"ok","leader":true,...}',
      ]),
    )
    .action(
      // Bad flags or environment: one line and exit 2, nothing started.
      roleAction<SchedulerCliFlags>(
        async () => (await import('../scheduler/run-scheduler.js')).runScheduler,
        codeMatches(/^INVALID|CONFIG/),
      ),
    );
}
