import type { Deps } from '../deps.js';
import { sweepLapsedResponses } from '../services/responses-lapse.js';

const SWEEP_EVERY_MS = 60_000;

/** Deletes lapsed `background: true, store: false` responses: once at start, then every minute, one sweep at a time. */
export function startLapseSweeper(deps: Pick<Deps, 'store' | 'clock' | 'config' | 'log'>): { stop(): Promise<void> } {
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweeping
      .then(() => sweepLapsedResponses(deps))
      .catch((err: unknown) => deps.log.warn({ err }, 'could not delete lapsed background store:false responses'));
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
