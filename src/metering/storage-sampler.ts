import type { ToolPrices } from '../config.js';
import type { Clock } from '../deps.js';
import type { Store } from '../store/open-db.js';
import { storedVectorBytes, upsertStorageSamples } from '../store/repos/usage-meters.repo.js';
import { storageCostOf } from './prices.js';
import type { UsageRecorderLog } from './usage-recorder.js';

export interface StorageSamplerOptions {
  db: Store['db'];
  clock: Clock;
  toolPrices: ToolPrices;
  /** Sampling interval; each sample stands for one interval (a whole number of seconds). */
  intervalMs: number;
  log: UsageRecorderLog;
}

/**
 * Vector store storage over time, for GB-day costs: every interval (and at start) each tenant's
 * stored bytes (the sum of its vector store files' usage_bytes) are written as the sample of the
 * interval's slot, which stands for the whole slot. A slot sampled again (a restart, a second
 * instance on the same PostgreSQL) keeps its latest reading, so nothing is counted twice; time the
 * server was down is not billed.
 */
export class StorageSampler {
  readonly #opts: StorageSamplerOptions;
  readonly #seconds: number;
  #timer: NodeJS.Timeout | undefined;
  #tail: Promise<void> = Promise.resolve();

  constructor(opts: StorageSamplerOptions) {
    this.#opts = opts;
    this.#seconds = Math.max(1, Math.round(opts.intervalMs / 1000));
  }

  start(): void {
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#seconds * 1000);
    this.#timer.unref();
  }

  /** Takes one sample now. Resolves even when it fails (logged). */
  sample(): Promise<void> {
    this.#tail = this.#tail.then(() => this.#sampleOnce()).catch(() => undefined);
    return this.#tail;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#tail;
  }

  async #sampleOnce(): Promise<void> {
    const { db, clock, toolPrices, log } = this.#opts;
    const seconds = this.#seconds;
    const slot = Math.floor(clock.now() / 1000 / seconds) * seconds;
    try {
      const stored = await storedVectorBytes(db);
      await upsertStorageSamples(
        db,
        stored.map(({ tenantId, bytes }) => ({
          tenant_id: tenantId,
          bucket_start: slot,
          seconds,
          usage_bytes: bytes,
          cost_usd: storageCostOf(toolPrices, { bytes, seconds }),
        })),
      );
    } catch (err) {
      log.error({ err }, 'usage: could not sample vector store storage');
    }
  }
}
