import type { Budget } from '../config/metering.js';
import type { Admission, Clock, RateLimits } from '../deps.js';
import type { Db } from '../store/database.js';
import { listRateLimitRows } from '../store/repos/rate-limits.repo.js';
import type { ProjectRateLimitRow } from '../store/tables/rate-limits.table.js';
import { metrics } from '../telemetry/metrics.js';
import type { CounterDelta, RateLimitCounters } from './rate-limit-counters.js';
import { RateLimitError } from './rate-limit-error.js';

type Limits = Pick<ProjectRateLimitRow, 'max_requests_per_1_minute' | 'max_tokens_per_1_minute' | 'max_requests_per_1_day'>;

interface Window {
  name: 'rpm' | 'rpd' | 'tpm';
  limit: number;
  start: number;
  /** Seconds until it resets. */
  reset: number;
  delta: number;
}

const keyOf = (tenantId: string, model: string, name: string) => `${tenantId}\n${model}\n${name}`;

function windowsOf(limits: Limits, nowSec: number, tokens: number): Window[] {
  const minute = Math.floor(nowSec / 60) * 60;
  const day = Math.floor(nowSec / 86_400) * 86_400;
  const all: Window[] = [
    { name: 'rpm', limit: limits.max_requests_per_1_minute, start: minute, reset: minute + 60 - nowSec, delta: 1 },
    { name: 'rpd', limit: limits.max_requests_per_1_day, start: day, reset: day + 86_400 - nowSec, delta: 1 },
    { name: 'tpm', limit: limits.max_tokens_per_1_minute, start: minute, reset: minute + 60 - nowSec, delta: tokens },
  ];
  return all.filter((w) => w.limit > 0);
}

/** OpenAI's six headers: the requests trio from the minute window (else the day's), the tokens trio from the minute's. */
function headersOf(windows: Window[], values: number[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const put = (kind: string, i: number) => {
    if (i < 0) return;
    const w = windows[i]!;
    headers[`x-ratelimit-limit-${kind}`] = String(w.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, w.limit - values[i]!));
    headers[`x-ratelimit-reset-${kind}`] = `${w.reset}s`;
  };
  const rpm = windows.findIndex((w) => w.name === 'rpm');
  put('requests', rpm >= 0 ? rpm : windows.findIndex((w) => w.name === 'rpd'));
  put('tokens', windows.findIndex((w) => w.name === 'tpm'));
  return headers;
}

export interface RateLimiterOptions {
  db: Db;
  counters: RateLimitCounters;
  clock: Clock;
  /** Checks the project's spend budget before its limits. */
  budgets?: { check(projectId: string): Promise<void>; has(projectId: string): boolean; setBudgets(budgets: Readonly<Record<string, Budget>>): void };
  /** How long a project's limits are cached (default 1000 ms): a change made anywhere holds here within it. */
  ttlMs?: number;
}

/**
 * Per project and model: requests per minute and per day, tokens (prompt + completion) per minute. A call
 * reserves its estimated tokens before it goes upstream; the usage recorded after it counts its real tokens and
 * release() gives the reservation back. A project without limits costs a cached Map lookup and no database call.
 */
export class RateLimiter implements RateLimits {
  readonly #o: Required<Omit<RateLimiterOptions, 'budgets'>> & Pick<RateLimiterOptions, 'budgets'>;
  readonly #cache = new Map<string, { limits: Map<string, Limits>; until: number }>();

  constructor(opts: RateLimiterOptions) {
    this.#o = { ttlMs: 1000, ...opts };
  }

  /** Lets the call through (its headers, or null when the model has no limit) or throws a RateLimitError. */
  async admit(opts: { tenantId: string; model: string; tokens: number | (() => Promise<number>) }): Promise<Admission | null> {
    if (!opts.tenantId) return null;
    // Awaited only when there is something to wait for: a budget to check, limits to (re)load.
    if (this.#o.budgets?.has(opts.tenantId)) await this.#o.budgets.check(opts.tenantId);
    const limits = (this.#fresh(opts.tenantId) ?? (await this.#limitsOf(opts.tenantId))).get(opts.model);
    if (!limits) return null;
    const nowSec = Math.floor(this.#o.clock.now() / 1000);
    // The request is only measured when its model has a token limit.
    const tokens = limits.max_tokens_per_1_minute <= 0 ? 0 : typeof opts.tokens === 'number' ? opts.tokens : await opts.tokens();
    const windows = windowsOf(limits, nowSec, Math.max(0, Math.ceil(tokens)));
    if (windows.length === 0) return null;
    const deltas = windows.map((w) => ({ key: keyOf(opts.tenantId, opts.model, w.name), windowStart: w.start, value: w.delta }));
    const values = await this.#o.counters.add(deltas);
    const over = windows.findIndex((w, i) => values[i]! > w.limit);
    const headers = headersOf(windows, values);
    if (over >= 0) {
      await this.#o.counters.add(deltas.map((d) => ({ ...d, value: -d.value })));
      throw this.#refusal({ tenantId: opts.tenantId, model: opts.model, window: windows[over]!, headers });
    }
    const tpm = deltas.find((d) => d.key.endsWith('\ntpm'));
    return { headers, release: () => this.#giveBack(tpm) };
  }

  /**
   * True when a call needs no admission at all, known without waiting: the project has no budget and its cached
   * limits (still fresh) have none for the model. The gateway's hooks then skip admit() and its promises.
   */
  unlimited(tenantId: string, model: string): boolean {
    if (!tenantId) return true;
    if (this.#o.budgets?.has(tenantId)) return false;
    const limits = this.#fresh(tenantId);
    return limits !== undefined && !limits.has(model);
  }

  /** Counts a call's real tokens (prompt + completion) against the minute it was recorded in. */
  settle(opts: { tenantId: string; model: string; tokens: number }): void {
    const limits = this.#cache.get(opts.tenantId)?.limits.get(opts.model);
    if (!limits || limits.max_tokens_per_1_minute <= 0 || !(opts.tokens > 0)) return;
    const start = Math.floor(this.#o.clock.now() / 60_000) * 60;
    void this.#o.counters.add([{ key: keyOf(opts.tenantId, opts.model, 'tpm'), windowStart: start, value: Math.ceil(opts.tokens) }]).catch(() => undefined);
  }

  async governs(projectId: string): Promise<boolean> {
    if (!projectId) return false;
    return this.#o.budgets?.has(projectId) === true || (await this.#limitsOf(projectId)).size > 0;
  }

  /** Projects' spend budgets from a reloaded YAML (SIGHUP). */
  setBudgets(budgets: Readonly<Record<string, Budget>>): void {
    this.#o.budgets?.setBudgets(budgets);
  }

  /** Forgets a project's cached limits (they were just changed on this instance). */
  forget(projectId: string): void {
    this.#cache.delete(projectId);
  }

  #giveBack(tpm: CounterDelta | undefined): void {
    if (tpm && tpm.value > 0) void this.#o.counters.add([{ ...tpm, value: -tpm.value }]).catch(() => undefined);
  }

  #refusal(opts: { tenantId: string; model: string; window: Window; headers: Record<string, string> }): RateLimitError {
    const { window: w } = opts;
    const kind = w.name === 'tpm' ? 'tokens' : 'requests';
    metrics.rateLimited({ tenant: opts.tenantId, limit: w.name === 'rpd' ? 'requests_per_day' : kind === 'tokens' ? 'tokens_per_minute' : 'requests_per_minute' });
    const per = w.name === 'rpd' ? 'day' : 'min';
    const unit = kind === 'tokens' ? 'tokens' : 'requests';
    return new RateLimitError({
      kind,
      message: `Rate limit reached for ${opts.model} in project ${opts.tenantId} on ${unit} per ${per}: Limit ${w.limit}. Please try again in ${w.reset}s.`,
      headers: { ...opts.headers, 'retry-after': String(w.reset) },
    });
  }

  /** The project's cached limits while they are fresh. */
  #fresh(projectId: string): Map<string, Limits> | undefined {
    const hit = this.#cache.get(projectId);
    return hit && hit.until > this.#o.clock.now() ? hit.limits : undefined;
  }

  async #limitsOf(projectId: string): Promise<Map<string, Limits>> {
    const now = this.#o.clock.now();
    const hit = this.#cache.get(projectId);
    if (hit && hit.until > now) return hit.limits;
    const rows = await listRateLimitRows(this.#o.db, projectId);
    const limits = new Map(rows.map((r) => [r.model, r]));
    this.#cache.set(projectId, { limits, until: now + this.#o.ttlMs });
    return limits;
  }
}
