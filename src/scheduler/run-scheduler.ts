import { errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { stopOnSignal } from '../core/shutdown.js';
import { resolveSchedulerCli, type SchedulerCliFlags } from './cli-options.js';
import { startScheduler } from './start.js';

/** `nebula scheduler`: runs until SIGINT/SIGTERM, then revokes its lease (handing leadership over) and exits 0. */
export async function runScheduler(flags: SchedulerCliFlags): Promise<void> {
  const options = resolveSchedulerCli(flags);
  const logger = createLogger({ component: 'scheduler' });
  const handle = await startScheduler(options, { logger });
  process.stdout.write(
    `nebula scheduler ${handle.instanceId}: metrics on :${handle.metricsPort} (/healthz, /metrics)\n`,
  );
  await stopOnSignal({
    name: 'nebula scheduler',
    onSignal: (sig) => logger.info({ signal: sig }, 'shutting down'),
    stop: () =>
      handle.stop().catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'shutdown failed')),
  });
}
