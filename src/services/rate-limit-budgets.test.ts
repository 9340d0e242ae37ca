import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../store/database.js';
import { BudgetGuard } from './rate-limit-budgets.js';
import { RateLimitError } from './rate-limit-error.js';

/** The spend query (sumSpendSince), answering `usd`, counting its calls. */
function fakeDb(usd: number) {
  const calls = { n: 0 };
  const chain = {
    selectFrom: () => chain,
    select: () => chain,
    where: () => chain,
    executeTakeFirst: async () => (calls.n++, { usd }),
  };
  return { db: chain as unknown as Db, calls };
}

describe('BudgetGuard', () => {
  it('should read the spend once (day and month) for the checks that find it stale at the same time', async () => {
    const { db, calls } = fakeDb(0.5);
    const guard = new BudgetGuard({ db, clock: { now: () => Date.UTC(2026, 11, 5, 12) }, budgets: { proj_a: { usd_per_day: 1 } }, ttlMs: 1000 });
    await Promise.all(Array.from({ length: 10 }, () => guard.check('proj_a')));
    assert.equal(calls.n, 2);
  });

  it('should refuse a project whose spend reached its budget, with insufficient_quota', async () => {
    const { db } = fakeDb(2);
    const guard = new BudgetGuard({ db, clock: { now: () => Date.UTC(2026, 11, 5, 12) }, budgets: { proj_a: { usd_per_day: 1 } }, ttlMs: 1000 });
    await assert.rejects(guard.check('proj_a'), (err: RateLimitError) => err.code === 'insufficient_quota' && err.headers['retry-after'] === String(12 * 3600));
  });
});
