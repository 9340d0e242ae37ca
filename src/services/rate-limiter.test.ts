import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../store/database.js';
import { MemoryCounters } from './rate-limit-counters.js';
import { RateLimitError } from './rate-limit-error.js';
import { RateLimiter } from './rate-limiter.js';

const ROW = { project_id: 'proj_a', model: 'gpt-4o', max_requests_per_1_minute: 100, max_tokens_per_1_minute: 0, max_requests_per_1_day: 0 };

/** The one query the limiter makes (listRateLimitRows), answered from `rows`, counting its calls. */
function fakeDb(rows: unknown[]) {
  const calls = { n: 0 };
  const chain = {
    selectFrom: () => chain,
    selectAll: () => chain,
    where: () => chain,
    orderBy: () => chain,
    execute: async () => (calls.n++, rows),
  };
  return { db: chain as unknown as Db, calls };
}

function limiter(opts: { rows?: unknown[]; budget?: boolean; now?: { t: number } } = {}) {
  const { db, calls } = fakeDb(opts.rows ?? [ROW]);
  const now = opts.now ?? { t: 1_000_000 };
  const budgets = { check: async () => {}, has: () => opts.budget === true, setBudgets: () => {} };
  return { calls, now, limiter: new RateLimiter({ db, counters: new MemoryCounters(), clock: { now: () => now.t }, budgets, ttlMs: 1000 }) };
}

/** A request body's size in tokens, counting its calls. */
function sizer(tokens: number) {
  const asked = { n: 0 };
  return { asked, size: (_body: unknown) => (asked.n++, tokens) };
}

describe('RateLimiter.admitNow', () => {
  it('should not know before the project limits were loaded', () => {
    const { size, asked } = sizer(1);
    assert.equal(limiter().limiter.admitNow('proj_a', 'gpt-4.1', size, {}), undefined);
    assert.equal(asked.n, 0);
  });

  it('should answer from the cached limits: null for a model without a limit, the admission for one with a limit', async () => {
    const { limiter: l, calls } = limiter();
    assert.equal(await l.admit({ tenantId: 'proj_a', model: 'gpt-4.1', tokens: 1 }), null);
    const { size, asked } = sizer(7);
    assert.equal(l.admitNow('proj_a', 'gpt-4.1', size, {}), null);
    const admitted = l.admitNow('proj_a', 'gpt-4o', size, {});
    assert.equal(admitted?.headers['x-ratelimit-remaining-requests'], '99');
    assert.equal(asked.n, 0, 'a model without a tokens limit is not sized');
    assert.equal(calls.n, 1);
  });

  it('should size the call for a tokens limit, reserve it, and refuse over a limit with the call taken back', async () => {
    const { limiter: l } = limiter({ rows: [{ ...ROW, max_requests_per_1_minute: 2, max_tokens_per_1_minute: 100 }] });
    await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 10 });
    const { size, asked } = sizer(29.5);
    const second = l.admitNow('proj_a', 'gpt-4o', size, {});
    assert.deepEqual(second?.headers, {
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '20s',
      'x-ratelimit-limit-tokens': '100',
      'x-ratelimit-remaining-tokens': String(100 - 10 - 30),
      'x-ratelimit-reset-tokens': '20s',
    });
    assert.equal(asked.n, 1);
    assert.throws(() => l.admitNow('proj_a', 'gpt-4o', size, {}), (err: RateLimitError) => err.headers['x-ratelimit-remaining-requests'] === '0');
    second?.release();
    assert.throws(() => l.admitNow('proj_a', 'gpt-4o', sizer(0).size, {}), RateLimitError, 'a release gives back tokens, not requests');
  });

  it('should write the same headers to a reply as its record holds, in the same order', async () => {
    const { limiter: l } = limiter({ rows: [{ ...ROW, max_tokens_per_1_minute: 100 }] });
    await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 });
    const admitted = l.admitNow('proj_a', 'gpt-4o', sizer(5).size, {});
    const written: Array<[string, string]> = [];
    admitted?.writeHeaders({ header: (name, value) => written.push([name, value]) });
    assert.deepEqual(written, Object.entries(admitted?.headers ?? {}));
    assert.equal(written.length, 6);
  });

  it('should stop answering once the cached limits are stale, and for a project with a budget', async () => {
    const t = limiter();
    await t.limiter.admit({ tenantId: 'proj_a', model: 'gpt-4.1', tokens: 1 });
    t.now.t += 1001;
    assert.equal(t.limiter.admitNow('proj_a', 'gpt-4.1', sizer(1).size, {}), undefined);
    const b = limiter({ budget: true });
    await b.limiter.admit({ tenantId: 'proj_a', model: 'gpt-4.1', tokens: 1 });
    assert.equal(b.limiter.admitNow('proj_a', 'gpt-4.1', sizer(1).size, {}), undefined);
  });
});

describe('RateLimiter.admit', () => {
  it('should admit a limited model from the cache without another query', async () => {
    const { limiter: l, calls } = limiter();
    const first = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 });
    const second = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 });
    assert.deepEqual([first?.headers['x-ratelimit-remaining-requests'], second?.headers['x-ratelimit-remaining-requests']], ['99', '98']);
    assert.equal(calls.n, 1);
  });
});

describe('RateLimiter.admit on cached limits and in-process counts', () => {
  it('should answer synchronously, with no promise, once the limits are cached', async () => {
    const { limiter: l } = limiter();
    assert.ok(l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 }) instanceof Promise, 'the first call loads the limits');
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    const second = l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: () => 1 });
    assert.ok(second !== null && !(second instanceof Promise));
    assert.equal(second.headers['x-ratelimit-remaining-requests'], '98');
  });

  it('should refuse synchronously over the limit and give the refused call back', async () => {
    const { limiter: l } = limiter({ rows: [{ ...ROW, max_requests_per_1_minute: 1 }] });
    await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 });
    assert.throws(() => l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 }), RateLimitError);
    assert.throws(() => l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 }), (err: RateLimitError) => err.headers['x-ratelimit-remaining-requests'] === '0');
  });

  it('should reserve the tokens, give them back on release and count the settled ones instead', async () => {
    const { limiter: l } = limiter({ rows: [{ ...ROW, max_tokens_per_1_minute: 100 }] });
    const first = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: () => 30 });
    assert.equal(first?.headers['x-ratelimit-remaining-tokens'], '70');
    first?.release();
    l.settle({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 12 });
    const second = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 5 });
    assert.equal(second?.headers['x-ratelimit-remaining-tokens'], String(100 - 12 - 5));
  });

  it('should give the reservation back on the first release only', async () => {
    const { limiter: l } = limiter({ rows: [{ ...ROW, max_tokens_per_1_minute: 100 }] });
    const first = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 30 });
    first?.release();
    first?.release();
    const probe = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 0 });
    assert.equal(probe?.headers['x-ratelimit-remaining-tokens'], '100');
  });
});

describe('RateLimiter limits cache', () => {
  it('should read the limits once for the calls that find them stale at the same time', async () => {
    const { limiter: l, calls, now } = limiter();
    await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 });
    now.t += 1001;
    const answers = await Promise.all(Array.from({ length: 20 }, () => l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 })));
    assert.equal(calls.n, 2);
    assert.equal(answers[19]?.headers['x-ratelimit-remaining-requests'], String(100 - 21));
  });

  it('should read again after forget(), even while a read is under way', async () => {
    const { limiter: l, calls } = limiter();
    const first = l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 });
    l.forget('proj_a');
    await Promise.all([first, l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 1 })]);
    assert.equal(calls.n, 2);
  });
});

describe('RateLimiter on in-process counts across a minute', () => {
  it('should give a reservation back to its own minute only, and start the next minute afresh', async () => {
    const { limiter: l, now } = limiter({ rows: [{ ...ROW, max_tokens_per_1_minute: 100 }] });
    now.t = 60_000 * 1000; // the start of a minute
    const first = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 40 });
    assert.equal(first?.headers['x-ratelimit-remaining-tokens'], '60');
    now.t += 60_000; // the next minute (the cached limits are read again)
    const second = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 10 });
    assert.equal(second?.headers['x-ratelimit-remaining-tokens'], '90');
    first?.release();
    const probe = await l.admit({ tenantId: 'proj_a', model: 'gpt-4o', tokens: 0 });
    assert.equal(probe?.headers['x-ratelimit-remaining-tokens'], '90', "the last minute's reservation is not taken from this one");
    assert.equal(probe?.headers['x-ratelimit-remaining-requests'], '98');
  });
});
