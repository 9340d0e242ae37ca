import { collectDefaultMetrics, Registry } from 'prom-client';
import { LabelChildren } from './label-children.js';
import { createMetricSet } from './metric-set.js';
import { Family } from './series.js';

/** What the scrape-time gauges read; server.ts wires them to the store and the sandbox pool. */
export interface GaugeSources {
  /** Queued runs and vector store files in progress: one cheap query, made at most once a second. */
  backlog(): Promise<{ queuedRuns: number; filesInProgress: number }>;
  sandboxSessions(): number;
}

export interface TokenUse {
  operation: 'chat' | 'embeddings';
  /** The model name clients use (prices are keyed by it). */
  model: string;
  tenant: string;
  input: number;
  output: number;
  costUsd: number;
}

interface UsageRow {
  tenant_id: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

interface MeterRow {
  tenant_id: string;
  meter: string;
  subject: string;
  quantity: number;
  cost_usd: number;
}

/** Who may scrape: TelemetryConfig.metrics' key settings. */
export interface MetricsAccess {
  /** sha256 (hex) of the metrics key; null: none. */
  keyHash: string | null;
  /** /metrics wants the metrics key or an admin key. */
  requireKey: boolean;
}

const BACKLOG_TTL_MS = 1000;
const OPERATION = 'chat';

/**
 * The process's metrics (Prometheus metrics are per process, as prom-client's default registry and
 * collectDefaultMetrics are): one instance, `metrics`, whose hooks are one-line calls
 * from where things happen. Switched off (`configure({ enabled: false })`) every hook returns at once.
 * The per-request hooks take positional arguments (not STYLE's options object) so that a call
 * allocates nothing.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #m = createMetricSet(this.registry);
  #enabled = false;
  #access: MetricsAccess = { keyHash: null, requireKey: false };
  #defaults = false;
  #sources: GaugeSources | undefined;
  #backlogAt = -Infinity;
  #backlogRead: Promise<void> | undefined;

  readonly #http = new LabelChildren((method, route, status) => this.#m.httpDuration.series(method, route, status));
  readonly #operation = new LabelChildren((provider, model, error) =>
    this.#m.operationDuration.series(OPERATION, provider, model, error),
  );
  readonly #ttft = new LabelChildren((provider, model) => this.#m.timeToFirstToken.series(OPERATION, provider, model));
  readonly #tokens = new LabelChildren((operation, model, tenant) => ({
    input: this.#m.tokenUsage.series(operation, model, 'input', tenant),
    output: this.#m.tokenUsage.series(operation, model, 'output', tenant),
    cost: this.#m.cost.series(model, tenant),
  }));
  readonly #runs = new LabelChildren((status) => ({
    moved: this.#m.runTransitions.series(status),
    duration: this.#m.runDuration.series(status),
  }));
  readonly #limited = new LabelChildren((tenant, limit) => this.#m.rateLimited.series(tenant, limit));

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Who may read GET /metrics (the metrics key's hash, or an admin key when `requireKey`). */
  get access(): MetricsAccess {
    return this.#access;
  }

  /**
   * Turns the hooks on or off, at start and at each reload (SIGHUP), and sets who may read them; Node's process
   * metrics are collected from the first time they are on (prom-client's collectors cannot be stopped: once on,
   * its GC observer and event-loop-delay monitor keep running while the hooks are off).
   */
  configure(opts: { enabled: boolean } & Partial<MetricsAccess>): void {
    this.#enabled = opts.enabled;
    this.#access = { keyHash: opts.keyHash ?? null, requireKey: opts.requireKey ?? false };
    if (opts.enabled && !this.#defaults) {
      collectDefaultMetrics({ register: this.registry });
      this.#defaults = true;
    }
  }

  /** One finished HTTP request; `route` is the route's pattern ('' when none matched), never the URL. */
  httpRequest(method: string, route: string | undefined, status: number, elapsedMs: number): void {
    if (this.#enabled) this.#http.get(method, route ?? '', status).observe(elapsedMs / 1000);
  }

  /** A model call ended; `error` is its error.type ('' when it succeeded). */
  modelCall(opts: { provider: string; model: string; error: string; seconds: number }): void {
    if (this.#enabled) this.#operation.get(opts.provider, opts.model, opts.error).observe(opts.seconds);
  }

  firstToken(provider: string, model: string, seconds: number): void {
    if (this.#enabled) this.#ttft.get(provider, model).observe(seconds);
  }

  /** A model call's usage as the usage recorder aggregates it (whatever path made the call); returns it. */
  usageRow<T extends UsageRow>(row: T): T {
    const { model, tenant_id: tenant, input_tokens: input, output_tokens: output, cost_usd: costUsd } = row;
    if (this.#enabled) this.tokens({ operation: 'chat', model, tenant, input, output, costUsd });
    return row;
  }

  /** A metered use as the usage recorder aggregates it: embeddings count as tokens and cost; returns it. */
  meterRow<T extends MeterRow>(row: T): T {
    if (this.#enabled && row.meter === 'embeddings')
      this.tokens({ operation: 'embeddings', model: row.subject, tenant: row.tenant_id, input: row.quantity, output: 0, costUsd: row.cost_usd });
    return row;
  }

  /** Tokens and cost of one metered model call. */
  tokens(use: TokenUse): void {
    if (!this.#enabled) return;
    const c = this.#tokens.get(use.operation, use.model, use.tenant);
    c.input.observe(use.input);
    if (use.operation === 'chat') c.output.observe(use.output);
    if (use.costUsd > 0) c.cost.inc(use.costUsd);
  }

  /** A run moved into `status`; `ageSeconds` (created → now) is recorded when the status ends it. */
  runMoved(status: string, ended: boolean, ageSeconds: number): void {
    if (!this.#enabled) return;
    const c = this.#runs.get(status);
    c.moved.inc();
    if (ended) c.duration.observe(Math.max(0, ageSeconds));
  }

  /** A request refused by a rate limit or budget (`limit`: requests, tokens, budget…). */
  rateLimited(opts: { tenant: string; limit: string }): void {
    if (this.#enabled) this.#limited.get(opts.tenant, opts.limit).inc();
  }

  /** Where the gauges read from; returns the function that unhooks them (a server closing). */
  setSources(sources: GaugeSources): () => void {
    this.#sources = sources;
    this.#backlogAt = -Infinity;
    return () => {
      if (this.#sources === sources) this.#sources = undefined;
    };
  }

  /** The Prometheus text exposition: Node's metrics and the gauges (refreshed first), then ours. */
  async render(): Promise<string> {
    await this.#refreshGauges();
    const families = Object.values(this.#m).filter((f) => f instanceof Family);
    return `${await this.registry.metrics()}\n${families.map((f) => f.render()).join('\n\n')}\n`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async #refreshGauges(): Promise<void> {
    const sources = this.#sources;
    if (!sources) return;
    this.#m.sandboxSessions.set(sources.sandboxSessions());
    if (performance.now() - this.#backlogAt < BACKLOG_TTL_MS) return;
    this.#backlogRead ??= sources
      .backlog()
      .then((b) => {
        this.#m.queuedRuns.set(b.queuedRuns);
        this.#m.ingestionBacklog.set(b.filesInProgress);
        this.#backlogAt = performance.now();
      })
      // A database that does not answer leaves the last values; /ready is what reports it.
      .catch(() => undefined)
      .finally(() => (this.#backlogRead = undefined));
    await this.#backlogRead;
  }
}

export const metrics = new Metrics();
