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
  readonly #reading = new Map<string, Promise<Spend>>();
  readonly #o: { db: Db; clock: Clock; ttlMs: number };
  #budgets: Readonly<Record<string, Budget>>;

  constructor(opts: { db: Db; clock: Clock; budgets: Readonly<Record<string, Budget>>; ttlMs: number }) {
    const { budgets, ...rest } = opts;
    this.#o = rest;
    this.#budgets = budgets;
  }

  /** A reload's budgets (SIGHUP): the next check holds the spend (cached or not) against them. */
  setBudgets(budgets: Readonly<Record<string, Budget>>): void {
    this.#budgets = budgets;
  }

  /** Whether the project has a budget. */
  has(projectId: string): boolean {
    return this.#budgetOf(projectId) !== undefined;
  }

  async check(projectId: string): Promise<void> {
    const budget = this.#budgetOf(projectId);
    if (!budget) return;
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

  #budgetOf(projectId: string): Budget | undefined {
    const budget = Object.hasOwn(this.#budgets, projectId) ? this.#budgets[projectId] : undefined;
    return budget && (budget.usd_per_day || budget.usd_per_month) ? budget : undefined;
  }

  /** The project's cached spend, or one read of it that the checks finding it stale meanwhile share. */
  #spendOf(projectId: string, t: { now: number; dayStart: number; monthStart: number }): Spend | Promise<Spend> {
    const hit = this.#spend.get(projectId);
    if (hit && hit.until > t.now) return hit;
    let reading = this.#reading.get(projectId);
    if (!reading) {
      reading = this.#read(projectId, t).finally(() => this.#reading.delete(projectId));
      this.#reading.set(projectId, reading);
    }
    return reading;
  }

  async #read(projectId: string, t: { now: number; dayStart: number; monthStart: number }): Promise<Spend> {
    const [day, month] = await Promise.all([
      sumSpendSince(this.#o.db, projectId, t.dayStart / 1000),
      sumSpendSince(this.#o.db, projectId, t.monthStart / 1000),
    ]);
    const spend = { day, month, until: t.now + this.#o.ttlMs };
    this.#spend.set(projectId, spend);
    return spend;
  }
}
