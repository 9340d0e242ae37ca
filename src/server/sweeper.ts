import type { Logger } from 'pino';

const SWEEP_EVERY_MS = 60_000;

/**
 * Runs `sweep` once at start, then every minute, one sweep at a time (a slow one delays the next, never overlaps it);
 * a failed sweep is logged with `failure` and the next one tries again. `stop()` waits for the sweep under way.
 */
export function startSweeper(sweep: () => Promise<unknown>, opts: { log: Logger; failure: string }): { stop(): Promise<void> } {
  let sweeping: Promise<unknown> = Promise.resolve();
  const next = () => {
    sweeping = sweeping.then(sweep).catch((err: unknown) => opts.log.warn({ err }, opts.failure));
  };
  next();
  const timer = setInterval(next, SWEEP_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}
