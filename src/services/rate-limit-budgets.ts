import type { Budget } from '../config/metering.js';
import type { Clock } from '../deps.js';
import type { Db } from '../store/database.js';
import { sumSpendSince } from '../store/repos/rate-limits.repo.js';
import { metrics } from '../telemetry/metrics.js';
import { RateLimitError } from './rate-limit-error.js';

interface Spend {
  day: number;
  month: number;
  until: number;
}

/** A spent budget: OpenAI's 429 `insufficient_quota`, with retry-after the seconds until the period ends. */
function spent(opts: { projectId: string; period: 'day' | 'month'; limit: number; retryAfter: number }): RateLimitError {
  metrics.rateLimited({ tenant: opts.projectId, limit: `budget_${opts.period}` });
  return new RateLimitError({
    kind: 'insufficient_quota',
    message: `You exceeded your current quota: project ${opts.projectId} has spent its budget of ${opts.limit} USD per ${opts.period}.`,
    headers: { 'retry-after': String(opts.retryAfter) },
  });
}

/**
 * Projects' spend budgets (YAML `budgets`), checked before each model call against the usage every instance
 * has flushed (so it may run over by what was spent in the last flush interval). Spend is cached per project
 * for `ttlMs`; a project without a budget costs nothing.
 */
export class BudgetGuard {
  readonly #spend = new Map<string, Spend>();
  readonly #o: { db: Db; clock: Clock; budgets: Readonly<Record<string, Budget>>; ttlMs: number };

  constructor(opts: { db: Db; clock: Clock; budgets: Readonly<Record<string, Budget>>; ttlMs: number }) {
    this.#o = opts;
  }

  /** Whether the project has a budget to check (without one, check() answers at once). */
  covers(projectId: string): boolean {
    const budget = Object.hasOwn(this.#o.budgets, projectId) ? this.#o.budgets[projectId] : undefined;
    return !!budget && !!(budget.usd_per_day || budget.usd_per_month);
  }

  async check(projectId: string): Promise<void> {
    if (!this.covers(projectId)) return;
    const budget = this.#o.budgets[projectId]!;
    const now = this.#o.clock.now();
    const d = new Date(now);
    const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const spend = await this.#spendOf(projectId, { now, dayStart, monthStart });
    if (budget.usd_per_day && spend.day >= budget.usd_per_day)
      throw spent({ projectId, period: 'day', limit: budget.usd_per_day, retryAfter: Math.ceil((dayStart + 86_400_000 - now) / 1000) });
    const nextMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    if (budget.usd_per_month && spend.month >= budget.usd_per_month)
      throw spent({ projectId, period: 'month', limit: budget.usd_per_month, retryAfter: Math.ceil((nextMonth - now) / 1000) });
  }

  async #spendOf(projectId: string, t: { now: number; dayStart: number; monthStart: number }): Promise<Spend> {
    const hit = this.#spend.get(projectId);
    if (hit && hit.until > t.now) return hit;
    const [day, month] = await Promise.all([
      sumSpendSince(this.#o.db, projectId, t.dayStart / 1000),
      sumSpendSince(this.#o.db, projectId, t.monthStart / 1000),
    ]);
    const spend = { day, month, until: t.now + this.#o.ttlMs };
    this.#spend.set(projectId, spend);
    return spend;
  }
}
