import type { Deps } from '../deps.js';
import { sweepExpiredFiles } from '../services/files.service.js';

const SWEEP_EVERY_MS = 60_000;

/** Deletes files past their expires_after: once at start, then every minute, one sweep at a time. */
export function startFileSweeper(deps: Pick<Deps, 'store' | 'storage' | 'clock' | 'ids' | 'log'>): { stop(): Promise<void> } {
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweeping
      .then(() => sweepExpiredFiles(deps))
      .catch((err: unknown) => deps.log.warn({ err }, 'could not delete expired files'));
  };
  sweep();
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}
