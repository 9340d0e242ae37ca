import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { until } from '../../test/support/until.js';
import type { Database } from '../store/database.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { queryUsageMeters } from '../store/repos/usage-meters.repo.js';
import { queryUsageBuckets } from '../store/repos/usage.repo.js';
import { costOf, unpricedModels } from './prices.js';
import type { UsageEvent } from './usage-event.js';
import { UsageRecorder } from './usage-recorder.js';

const T0 = 1_730_419_200; // 2024-11-01T00:00:00Z

function event(patch: Partial<UsageEvent> = {}): UsageEvent {
  return {
    tenantId: 't1',
    apiKeyId: 'key_a',
    model: 'm1',
    upstreamModel: 'up-m1',
    at: (T0 + 5) * 1000,
    inputTokens: 100,
    cachedTokens: 40,
    outputTokens: 10,
    reasoningTokens: 2,
    ...patch,
  };
}

function memoryLog() {
  const errors: { obj: object; msg?: string }[] = [];
  const warnings: { obj: object; msg?: string }[] = [];
  return {
    errors,
    warnings,
    error: (obj: object, msg?: string) => void errors.push({ obj, msg }),
    warn: (obj: object, msg?: string) => void warnings.push({ obj, msg }),
  };
}

/** The db, except that transactions fail while `state.failing`, and counts overlapping transactions. */
function flakyDb(db: Kysely<Database>, state: { failing: boolean; active: number; maxActive: number }) {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction')
        return () => ({
          execute: async <T>(fn: (trx: never) => Promise<T>): Promise<T> => {
            state.active++;
            state.maxActive = Math.max(state.maxActive, state.active);
            try {
              await new Promise((r) => setImmediate(r));
              if (state.failing) throw new Error('database is down');
              return await target.transaction().execute(fn as never);
            } finally {
              state.active--;
            }
          },
        });
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('costOf', () => {
  const prices = { m1: { input: 2, output: 8, cached_input: 1 }, 'up-m2': { input: 3, output: 6 } };

  it('should bill cached input at cached_input and the rest at input', () => {
    const cost = costOf(prices, event({ inputTokens: 1000, cachedTokens: 400, outputTokens: 500 }));
    assert.ok(Math.abs(cost - (600 * 2 + 400 * 1 + 500 * 8) / 1e6) < 1e-15);
  });

  it('should fall back to the upstream model and bill cached input at the input price by default', () => {
    const cost = costOf(prices, event({ model: 'm2', upstreamModel: 'up-m2', inputTokens: 1000, cachedTokens: 400, outputTokens: 0 }));
    assert.ok(Math.abs(cost - (1000 * 3) / 1e6) < 1e-15);
  });

  it('should cost 0 for a model without a price', () => {
    assert.equal(costOf(prices, event({ model: 'x', upstreamModel: 'y' })), 0);
  });
});

for (const dialect of testDialects()) {
  describe(`UsageRecorder (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const recorders: UsageRecorder[] = [];
    const newRecorder = (opts: { db?: Kysely<Database>; log?: ReturnType<typeof memoryLog> } = {}) => {
      const r = new UsageRecorder({
        db: opts.db ?? store.db,
        prices: { m1: { input: 2, output: 8, cached_input: 1 } },
        flushMs: 60_000,
        log: opts.log ?? memoryLog(),
      });
      recorders.push(r);
      return r;
    };
    const rows = (tenantId = 't1') => queryUsageBuckets(store.db, { tenantId, start: 0, end: 2 ** 40 });

    beforeEach(async () => {
      const test = await createTestDatabaseUrl(dialect);
      drop = test.drop;
      store = openDb(test.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
    });

    afterEach(async () => {
      for (const r of recorders.splice(0)) await r.close();
      await store.close();
      await drop();
    });

    it('should cost a model without a price at 0 and warn once per model, not per request', async () => {
      const log = memoryLog();
      const recorder = newRecorder({ log });
      recorder.record(event({ model: 'free', upstreamModel: 'up-free' }));
      recorder.record(event({ model: 'free', upstreamModel: 'up-free' }));
      recorder.record(event());
      recorder.record({ ...event({ model: 'emb', upstreamModel: 'emb' }), kind: 'embeddings' });
      await recorder.flush();
      assert.deepEqual(
        (await rows()).map((r) => [r.model, Number(r.num_model_requests), r.cost_usd]).sort(),
        [
          ['free', 2, 0],
          ['m1', 1, costOf({ m1: { input: 2, output: 8, cached_input: 1 } }, event())],
        ],
      );
      assert.deepEqual(
        log.warnings.map((w) => w.obj),
        [
          { model: 'free', upstreamModel: 'up-free' },
          { model: 'emb', upstreamModel: 'emb' },
        ],
      );
      assert.match(log.warnings[0]!.msg!, /the model 'free' has no price: its cost is recorded as 0/);
    });

    it('should cost usage recorded after setPrices() with the new prices', async () => {
      const recorder = newRecorder();
      recorder.record(event({ at: T0 * 1000 }));
      recorder.setPrices({ prices: { m1: { input: 4, output: 8 } } });
      recorder.record(event({ at: (T0 + 60) * 1000 }));
      await recorder.flush();
      assert.deepEqual(
        (await rows()).map((r) => Math.round(r.cost_usd * 1e9)),
        [(60 * 2 + 40 * 1 + 10 * 8) * 1e3, (100 * 4 + 10 * 8) * 1e3],
      );
    });

    it('should meter tool uses and embeddings per meter, key and subject, priced per use or per token', async () => {
      const recorder = new UsageRecorder({
        db: store.db,
        prices: { emb: { input: 0.02, output: 0 } },
        toolPrices: { code_interpreter_session: 0.03, file_search_call: 0.0025, vector_store_gb_day: 0.1 },
        flushMs: 60_000,
        log: memoryLog(),
      });
      recorders.push(recorder);
      const at = T0 * 1000;
      const use = { tenantId: 't1', apiKeyId: 'key_a', at, quantity: 1 };
      recorder.meter({ ...use, meter: 'file_search_calls', subject: 'vs_1' });
      recorder.meter({ ...use, meter: 'file_search_calls', subject: 'vs_1' });
      recorder.meter({ ...use, meter: 'code_interpreter_sessions', subject: '' });
      recorder.record({ ...event({ model: 'emb', upstreamModel: 'emb', inputTokens: 500 }), kind: 'embeddings' });
      await recorder.flush();
      assert.deepEqual(await rows(), [], 'embeddings are not completions');
      const meters = await queryUsageMeters(store.db, { tenantId: 't1', start: 0, end: 2 ** 40 });
      assert.deepEqual(
        meters.map((r) => [r.meter, r.subject, Number(r.quantity), Number(r.num_requests), Math.round(r.cost_usd * 1e9) / 1e9]),
        [
          ['code_interpreter_sessions', '', 1, 1, 0.03],
          ['embeddings', 'emb', 500, 1, 0.00001],
          ['file_search_calls', 'vs_1', 2, 2, 0.005],
        ],
      );
    });

    it('should aggregate events per tenant, key, model and minute', async () => {
      const recorder = newRecorder();
      recorder.record(event());
      recorder.record(event({ at: (T0 + 59) * 1000 }));
      recorder.record(event({ at: (T0 + 60) * 1000 }));
      recorder.record(event({ apiKeyId: 'key_b' }));
      assert.equal(recorder.pendingCount, 3);
      await recorder.flush();
      assert.equal(recorder.pendingCount, 0);
      const stored = await rows();
      assert.deepEqual(
        stored.map((r) => [r.api_key_id, r.bucket_start, r.num_model_requests, r.input_tokens, r.input_cached_tokens]),
        [
          ['key_a', T0, 2, 200, 80],
          ['key_b', T0, 1, 100, 40],
          ['key_a', T0 + 60, 1, 100, 40],
        ],
      );
      const first = stored[0]!;
      assert.equal(first.output_tokens, 20);
      assert.equal(first.reasoning_tokens, 4);
      assert.ok(Math.abs(first.cost_usd - 2 * (60 * 2 + 40 * 1 + 10 * 8) / 1e6) < 1e-12);
    });

    it('should add to stored buckets on repeated flushes', async () => {
      const recorder = newRecorder();
      recorder.record(event());
      await recorder.flush();
      recorder.record(event({ inputTokens: 50, cachedTokens: 0, outputTokens: 5 }));
      await recorder.flush();
      const [row, ...rest] = await rows();
      assert.equal(rest.length, 0);
      assert.equal(row?.num_model_requests, 2);
      assert.equal(row?.input_tokens, 150);
      assert.equal(row?.input_cached_tokens, 40);
      assert.equal(row?.output_tokens, 15);
    });

    it('should keep the data of a failed flush, log, and write it with the next one', async () => {
      const state = { failing: true, active: 0, maxActive: 0 };
      const log = memoryLog();
      const recorder = newRecorder({ db: flakyDb(store.db, state), log });
      recorder.record(event());
      await recorder.flush();
      assert.equal(recorder.pendingCount, 1);
      assert.equal(log.errors.length, 1);
      assert.deepEqual(await rows(), []);

      recorder.record(event());
      recorder.record(event({ model: 'm2' }));
      state.failing = false;
      await recorder.flush();
      assert.equal(recorder.pendingCount, 0);
      const stored = await rows();
      assert.deepEqual(
        stored.map((r) => [r.model, r.num_model_requests]),
        [
          ['m1', 2],
          ['m2', 1],
        ],
      );
    });

    it('should not run two flushes at once', async () => {
      const state = { failing: false, active: 0, maxActive: 0 };
      const recorder = newRecorder({ db: flakyDb(store.db, state) });
      const flushes: Promise<void>[] = [];
      for (let i = 0; i < 5; i++) {
        recorder.record(event());
        flushes.push(recorder.flush());
      }
      await Promise.all(flushes);
      assert.equal(state.maxActive, 1);
      assert.equal((await rows())[0]?.num_model_requests, 5);
    });

    it('should flush on close', async () => {
      const recorder = newRecorder();
      recorder.record(event());
      await recorder.close();
      assert.equal(recorder.pendingCount, 0);
      assert.equal((await rows()).length, 1);
    });

    it('should flush on its timer', async () => {
      const recorder = new UsageRecorder({ db: store.db, prices: {}, flushMs: 10, log: memoryLog() });
      recorders.push(recorder);
      recorder.record(event());
      await until(() => recorder.pendingCount, (n) => n === 0, 5000);
      await recorder.flush();
      assert.equal((await rows()).length, 1);
    });

    it('should wait in flush for an event still being counted', async () => {
      const recorder = newRecorder();
      let counted!: (e: UsageEvent) => void;
      recorder.recordLater(new Promise<UsageEvent>((resolve) => (counted = resolve)));
      const flushed = recorder.flush();
      counted(event());
      await flushed;
      assert.equal((await rows()).length, 1);
    });

    it('should never throw from record, counting bad numbers as 0', async () => {
      const recorder = newRecorder();
      assert.doesNotThrow(() =>
        recorder.record(event({ inputTokens: Number.NaN, cachedTokens: -5, outputTokens: Infinity, at: Number.NaN })),
      );
      await recorder.flush();
      const [row] = await rows();
      assert.equal(row?.input_tokens, 0);
      assert.equal(row?.output_tokens, 0);
      assert.equal(row?.num_model_requests, 1);
    });

    it('should keep tenants apart in queries', async () => {
      const recorder = newRecorder();
      recorder.record(event({ tenantId: 't1' }));
      recorder.record(event({ tenantId: 't2', inputTokens: 7 }));
      await recorder.flush();
      assert.deepEqual(
        (await rows('t2')).map((r) => [r.tenant_id, r.input_tokens]),
        [['t2', 7]],
      );
      assert.deepEqual(
        (await rows('t1')).map((r) => r.tenant_id),
        ['t1'],
      );
    });
  });
}

describe('unpricedModels', () => {
  it('should list the routed, local and advertised models that have no price by either name', () => {
    const config = {
      models: { fast: { model: 'gpt-4o-mini' }, smart: {}, cheap: { model: 'cheap-upstream' } },
      localModels: [{ id: 'qwen' }],
      providers: [{ models: ['extra', 'smart'] }],
    };
    assert.deepEqual(unpricedModels({ 'gpt-4o-mini': { input: 1, output: 1 }, cheap: { input: 1, output: 1 } }, config), [
      'extra',
      'qwen',
      'smart',
    ]);
  });
});
