import type { Clock } from '../deps.js';
import type { UsageEvent } from '../metering/usage-event.js';
import type { Store } from '../store/open-db.js';
import { DatabaseCounters, MemoryCounters } from './rate-limit-counters.js';
import { RateLimiter } from './rate-limiter.js';
import { BudgetGuard } from './rate-limit-budgets.js';
import type { Budget } from '../config/metering.js';

/**
 * The rate limiter over the store's counters (in the database on PostgreSQL, so instances share them; in this
 * process on SQLite), settling token reservations from the usage each model call records.
 */
export function createRateLimiter(
  base: { store: Store; clock: Clock; config: { budgets: Readonly<Record<string, Budget>> } },
  usage: { observe(fn: (e: UsageEvent) => void): void },
  ttlMs?: number,
): RateLimiter {
  const counters = base.store.dialect === 'postgres' ? new DatabaseCounters(base.store.db) : new MemoryCounters();
  const budgets = new BudgetGuard({ db: base.store.db, clock: base.clock, budgets: base.config.budgets, ttlMs: ttlMs ?? 1000 });
  const limiter = new RateLimiter({ db: base.store.db, counters, clock: base.clock, budgets, ...(ttlMs !== undefined ? { ttlMs } : {}) });
  usage.observe((e) => limiter.settle({ tenantId: e.tenantId, model: e.model, tokens: e.inputTokens + e.outputTokens }));
  return limiter;
}
