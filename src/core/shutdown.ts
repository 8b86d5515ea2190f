/**
 * How a long-running role ends: the first SIGINT or SIGTERM runs `stop` and the promise resolves once it
 * has finished; a second signal exits at once (130), for an operator who will not wait for a slow stop.
 */
export function stopOnSignal(opts: {
  /** Names the process in the "second signal" line (`nebula router`). */
  name: string;
  /** Says that the stop began (a log line, or a line on stdout). */
  onSignal: (sig: NodeJS.Signals) => void;
  /** Stops everything; it reports its own failures and does not reject. */
  stop: () => Promise<void>;
}): Promise<void> {
  return new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        process.stderr.write(`${opts.name}: second ${sig}, exiting now\n`);
        process.exit(130);
      }
      opts.onSignal(sig);
      void opts.stop().finally(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
