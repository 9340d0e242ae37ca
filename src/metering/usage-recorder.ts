import type { Store } from '../store/open-db.js';
import type { ToolPrices } from '../config.js';
import { upsertUsageMeters } from '../store/repos/usage-meters.repo.js';
import { upsertUsageBuckets } from '../store/repos/usage.repo.js';
import type { NewUsageBucketRow } from '../store/tables/usage-buckets.table.js';
import type { NewUsageMeterRow } from '../store/tables/usage-meters.table.js';
import { costOf, findPrice, FREE_TOOLS, meterCostOf, type PriceTable } from './prices.js';
import type { MeterEvent, MeterSink, UsageEvent, UsageSink } from './usage-event.js';
import { metrics } from '../telemetry/metrics.js';

/** The part of a pino logger the recorder uses. */
export interface UsageRecorderLog {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface UsageRecorderOptions {
  db: Store['db'];
  prices: PriceTable;
  /** Prices per tool use (default: free). */
  toolPrices?: ToolPrices;
  /** Interval between background flushes. */
  flushMs: number;
  log: UsageRecorderLog;
}

type Aggregate = Required<NewUsageBucketRow>;
type MeterAggregate = Required<NewUsageMeterRow>;

/** Non-negative finite count; anything else counts as 0. */
const count = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

function add(into: Aggregate, from: Aggregate): void {
  into.input_tokens += from.input_tokens;
  into.input_cached_tokens += from.input_cached_tokens;
  into.output_tokens += from.output_tokens;
  into.reasoning_tokens += from.reasoning_tokens;
  into.num_model_requests += from.num_model_requests;
  into.cost_usd += from.cost_usd;
}

const keyOf = (a: Pick<Aggregate, 'tenant_id' | 'api_key_id' | 'model' | 'bucket_start'>): string =>
  JSON.stringify([a.tenant_id, a.api_key_id, a.model, a.bucket_start]);

const meterKeyOf = (a: MeterAggregate): string => JSON.stringify([a.tenant_id, a.meter, a.api_key_id, a.subject, a.bucket_start]);

const minuteOf = (at: number): number => Math.floor((Number.isFinite(at) ? at : Date.now()) / 60_000) * 60;

/** /v1/embeddings tokens as a meter event. */
const embeddingsMeter = (e: UsageEvent): MeterEvent => ({
  tenantId: e.tenantId,
  apiKeyId: e.apiKeyId,
  meter: 'embeddings',
  subject: e.model,
  upstreamModel: e.upstreamModel,
  at: e.at,
  quantity: e.inputTokens,
});

/**
 * Batched usage writer. `record()` adds the event to an in-memory per-minute aggregate (O(1), never
 * throws); a background timer writes all aggregates in one transaction every `flushMs`. A failed
 * write puts its aggregates back, so they go out with the next flush. Flushes never overlap.
 */
export class UsageRecorder implements UsageSink, MeterSink {
  readonly #db: Store['db'];
  #prices: PriceTable;
  #toolPrices: ToolPrices;
  /** Models whose usage was costed at 0 for want of a price: each is logged once per process. */
  readonly #unpriced = new Set<string>();
  readonly #log: UsageRecorderLog;
  #pending = new Map<string, Aggregate>();
  #meters = new Map<string, MeterAggregate>();
  #timer: NodeJS.Timeout | undefined;
  /** Told of each model call's usage as it is recorded (the rate limiter settles its token reservations). */
  #observers: ((e: UsageEvent) => void)[] = [];
  /** Events still being counted (see recordLater). */
  readonly #counting = new Set<Promise<void>>();
  /** The last flush started; the next one waits for it. */
  #tail: Promise<void> = Promise.resolve();

  constructor(opts: UsageRecorderOptions) {
    this.#db = opts.db;
    this.#prices = opts.prices;
    this.#toolPrices = opts.toolPrices ?? FREE_TOOLS;
    this.#log = opts.log;
    this.#timer = setInterval(() => void this.flush(), opts.flushMs);
    this.#timer.unref();
  }

  /** Prices from a reloaded configuration: usage recorded from now on is costed with them. */
  setPrices(prices: { prices: PriceTable; toolPrices?: ToolPrices }): void {
    this.#prices = prices.prices;
    this.#toolPrices = prices.toolPrices ?? FREE_TOOLS;
  }

  /** Number of aggregates (tenant, key, model or meter, minute) not yet written. */
  get pendingCount(): number {
    return this.#pending.size + this.#meters.size;
  }

  /** Calls `fn` with each usage event recorded from now on. */
  observe(fn: (e: UsageEvent) => void): void {
    this.#observers.push(fn);
  }

  record(e: UsageEvent): void {
    for (const fn of this.#observers) fn(e);
    if (e.kind === 'embeddings') return this.meter(embeddingsMeter(e));
    try {
      const input = count(e.inputTokens);
      this.#merge(metrics.usageRow({
        tenant_id: e.tenantId,
        api_key_id: e.apiKeyId,
        model: e.model,
        bucket_start: minuteOf(e.at),
        input_tokens: input,
        input_cached_tokens: Math.min(input, count(e.cachedTokens)),
        output_tokens: count(e.outputTokens),
        reasoning_tokens: count(e.reasoningTokens),
        num_model_requests: 1,
        cost_usd: costOf(this.#prices, e),
      }));
      this.#warnIfUnpriced(e);
    } catch (err) {
      this.#log.error({ err }, 'usage: failed to record a usage event');
    }
  }

  meter(e: MeterEvent): void {
    try {
      this.#mergeMeter(metrics.meterRow({
        tenant_id: e.tenantId,
        meter: e.meter,
        api_key_id: e.apiKeyId,
        subject: e.subject,
        bucket_start: minuteOf(e.at),
        quantity: count(e.quantity),
        num_requests: 1,
        cost_usd: meterCostOf({ models: this.#prices, tools: this.#toolPrices }, e),
      }));
      if (e.meter === 'embeddings') this.#warnIfUnpriced({ model: e.subject, upstreamModel: e.upstreamModel ?? e.subject });
    } catch (err) {
      this.#log.error({ err }, 'usage: failed to record a metered use');
    }
  }

  /**
   * Records an event that is still being worked out (usage counted with a tokenizer when the
   * upstream reported none). close() waits for it, so a shutdown does not lose it.
   */
  recordLater(event: Promise<UsageEvent>): void {
    const tracked = event.then(
      (e) => this.record(e),
      (err: unknown) => this.#log.error({ err }, 'usage: could not count usage'),
    );
    this.#counting.add(tracked);
    void tracked.finally(() => this.#counting.delete(tracked));
  }

  /**
   * Writes everything pending, events still being counted included. Resolves even when the write
   * fails (the data stays pending and is logged).
   */
  flush(): Promise<void> {
    const counting = Promise.all(this.#counting);
    // #flushOnce handles its own errors; the catch only keeps the chain alive if logging itself throws.
    this.#tail = this.#tail
      .then(() => counting)
      .then(() => this.#flushOnce())
      .catch(() => undefined);
    return this.#tail;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#counting);
    await this.flush();
    if (this.pendingCount > 0) this.#log.error({ pending: this.pendingCount }, 'usage: unwritten usage aggregates at shutdown');
  }

  #warnIfUnpriced(e: Pick<UsageEvent, 'model' | 'upstreamModel'>): void {
    if (this.#unpriced.has(e.model) || findPrice(this.#prices, e)) return;
    this.#unpriced.add(e.model);
    this.#log.warn(
      { model: e.model, upstreamModel: e.upstreamModel },
      `usage: the model '${e.model}' has no price: its cost is recorded as 0 (add it under \`prices:\` in the YAML)`,
    );
  }

  #merge(a: Aggregate): void {
    const key = keyOf(a);
    const existing = this.#pending.get(key);
    if (existing) add(existing, a);
    else this.#pending.set(key, a);
  }

  #mergeMeter(a: MeterAggregate): void {
    const key = meterKeyOf(a);
    const existing = this.#meters.get(key);
    if (!existing) return void this.#meters.set(key, a);
    existing.quantity += a.quantity;
    existing.num_requests += a.num_requests;
    existing.cost_usd += a.cost_usd;
  }

  async #flushOnce(): Promise<void> {
    if (this.pendingCount === 0) return;
    const rows = [...this.#pending.values()];
    const meters = [...this.#meters.values()];
    this.#pending = new Map();
    this.#meters = new Map();
    try {
      await this.#db.transaction().execute(async (trx) => {
        if (rows.length) await upsertUsageBuckets(trx, rows);
        if (meters.length) await upsertUsageMeters(trx, meters);
      });
    } catch (err) {
      for (const row of rows) this.#merge(row);
      for (const row of meters) this.#mergeMeter(row);
      this.#log.error({ err, rows: rows.length + meters.length }, 'usage: flush failed; will retry');
    }
  }
}
