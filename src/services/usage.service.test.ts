import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import type { Caller } from '../deps.js';
import { ApiError } from '../errors.js';
import { UsageRecorder } from '../metering/usage-recorder.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { upsertStorageSamples, upsertUsageMeters } from '../store/repos/usage-meters.repo.js';
import { upsertUsageBuckets } from '../store/repos/usage.repo.js';
import type { NewUsageBucketRow } from '../store/tables/usage-buckets.table.js';
import { listCompletionsUsage, listCosts, type UsageDeps } from './usage.service.js';

const T0 = 1_730_419_200; // 2024-11-01T00:00:00Z
const DAY = 86_400;
const caller: Caller = { tenantId: 't1', apiKeyId: 'key_a' };

function row(patch: Partial<NewUsageBucketRow> & { bucket_start: number }): NewUsageBucketRow {
  return {
    tenant_id: 't1',
    api_key_id: 'key_a',
    model: 'm1',
    input_tokens: 100,
    input_cached_tokens: 40,
    output_tokens: 10,
    reasoning_tokens: 0,
    num_model_requests: 1,
    cost_usd: 0,
    ...patch,
  };
}

for (const dialect of testDialects()) {
  describe(`usage.service (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let deps: UsageDeps;

    beforeEach(async () => {
      const test = await createTestDatabaseUrl(dialect);
      drop = test.drop;
      store = openDb(test.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      deps = { db: store.db, clock: { now: () => (T0 + 10 * DAY) * 1000 } };
    });

    afterEach(async () => {
      await store.close();
      await drop();
    });

    it('should return one day bucket per interval, empty ones included, summing everything', async () => {
      await upsertUsageBuckets(store.db, [
        row({ bucket_start: T0 + 60 }),
        row({ bucket_start: T0 + 3600, model: 'm2', api_key_id: 'key_b' }),
        row({ bucket_start: T0 + DAY + 120, input_tokens: 7, input_cached_tokens: 0, output_tokens: 3 }),
      ]);
      const page = await listCompletionsUsage(deps, caller, { start_time: T0 + 5, end_time: T0 + 3 * DAY });
      assert.equal(page.object, 'page');
      assert.equal(page.has_more, false);
      assert.equal(page.next_page, null);
      assert.deepEqual(
        page.data.map((b) => [b.object, b.start_time, b.end_time, b.results.length]),
        [
          ['bucket', T0, T0 + DAY, 1],
          ['bucket', T0 + DAY, T0 + 2 * DAY, 1],
          ['bucket', T0 + 2 * DAY, T0 + 3 * DAY, 0],
        ],
      );
      assert.deepEqual(page.data[0]!.results[0], {
        object: 'organization.usage.completions.result',
        input_tokens: 200,
        input_cached_tokens: 80,
        input_cache_write_tokens: 0,
        input_uncached_tokens: 120,
        output_tokens: 20,
        input_text_tokens: 0,
        output_text_tokens: 0,
        input_cached_text_tokens: 0,
        input_audio_tokens: 0,
        input_cached_audio_tokens: 0,
        output_audio_tokens: 0,
        input_image_tokens: 0,
        input_cached_image_tokens: 0,
        output_image_tokens: 0,
        num_model_requests: 2,
        project_id: null,
        user_id: null,
        api_key_id: null,
        model: null,
        batch: null,
        service_tier: null,
      });
      assert.equal(page.data[1]!.results[0]!.input_tokens, 7);
    });

    it('should bucket by hour, aligning start_time down', async () => {
      await upsertUsageBuckets(store.db, [row({ bucket_start: T0 }), row({ bucket_start: T0 + 7200 + 60 })]);
      const page = await listCompletionsUsage(deps, caller, {
        start_time: T0 + 1800,
        end_time: T0 + 3 * 3600,
        bucket_width: '1h',
      });
      assert.deepEqual(
        page.data.map((b) => [b.start_time, b.results.map((r) => r.num_model_requests)]),
        [
          [T0, [1]],
          [T0 + 3600, []],
          [T0 + 7200, [1]],
        ],
      );
    });

    it('should bucket by minute with the default limit of 60 up to now', async () => {
      await upsertUsageBuckets(store.db, [row({ bucket_start: T0 + 120 })]);
      const now = { now: () => (T0 + 2 * 3600 + 30) * 1000 };
      const page = await listCompletionsUsage({ ...deps, clock: now }, caller, { start_time: T0, bucket_width: '1m' });
      assert.equal(page.data.length, 60);
      assert.equal(page.has_more, true);
      assert.deepEqual(
        page.data.flatMap((b) => (b.results.length ? [b.start_time] : [])),
        [T0 + 120],
      );
      assert.ok(page.data.every((b, i) => b.start_time === T0 + 60 * i && b.end_time === b.start_time + 60));
    });

    it('should include usage of the current second when end_time defaults to now', async () => {
      // A request at T0+120.4 s lands in the minute bucket T0+120; "now" floored to seconds is that same
      // second, and an exclusive end at it left the request out (1 chance in 60 per test run).
      await upsertUsageBuckets(store.db, [row({ bucket_start: T0 + 120 })]);
      const now = { now: () => (T0 + 120) * 1000 + 400 };
      const page = await listCompletionsUsage({ ...deps, clock: now }, caller, { start_time: T0 });
      assert.deepEqual(
        page.data.map((b) => b.results.map((r) => r.num_model_requests)),
        [[1]],
      );
    });

    it('should page with next_page until has_more is false', async () => {
      await upsertUsageBuckets(
        store.db,
        [0, 1, 2, 3, 4].map((d) => row({ bucket_start: T0 + d * DAY, input_tokens: d + 1 })),
      );
      const starts: number[] = [];
      const tokens: number[] = [];
      let page: string | undefined;
      let pages = 0;
      for (;;) {
        const res = await listCompletionsUsage(deps, caller, { start_time: T0, end_time: T0 + 5 * DAY, limit: 2, page });
        pages++;
        starts.push(...res.data.map((b) => b.start_time));
        tokens.push(...res.data.flatMap((b) => b.results.map((r) => r.input_tokens)));
        assert.equal(res.has_more, res.next_page !== null);
        if (!res.has_more) break;
        page = res.next_page!;
      }
      assert.equal(pages, 3);
      assert.deepEqual(starts, [0, 1, 2, 3, 4].map((d) => T0 + d * DAY));
      assert.deepEqual(tokens, [1, 2, 3, 4, 5]);
    });

    it('should report has_more false when the last page ends exactly at end_time', async () => {
      const res = await listCompletionsUsage(deps, caller, { start_time: T0, end_time: T0 + 2 * DAY, limit: 2 });
      assert.equal(res.data.length, 2);
      assert.equal(res.has_more, false);
      assert.equal(res.next_page, null);
    });

    it('should reject a page cursor that is not valid', async () => {
      await assert.rejects(
        listCompletionsUsage(deps, caller, { start_time: T0, page: 'nope' }),
        (e: unknown) => e instanceof ApiError && e.status === 400 && e.param === 'page',
      );
    });

    it('should group by model, api_key_id and project_id', async () => {
      await upsertUsageBuckets(store.db, [
        row({ bucket_start: T0, model: 'm2', api_key_id: 'key_a' }),
        row({ bucket_start: T0 + 60, model: 'm1', api_key_id: 'key_b' }),
        row({ bucket_start: T0 + 120, model: 'm1', api_key_id: 'key_a' }),
        row({ bucket_start: T0 + 180, model: 'm1', api_key_id: 'key_a' }),
      ]);
      const byModel = await listCompletionsUsage(deps, caller, { start_time: T0, end_time: T0 + DAY, group_by: ['model'] });
      assert.deepEqual(
        byModel.data[0]!.results.map((r) => [r.model, r.api_key_id, r.num_model_requests]),
        [
          ['m1', null, 3],
          ['m2', null, 1],
        ],
      );
      const byBoth = await listCompletionsUsage(deps, caller, {
        start_time: T0,
        end_time: T0 + DAY,
        group_by: ['model', 'api_key_id', 'project_id'],
      });
      assert.deepEqual(
        byBoth.data[0]!.results.map((r) => [r.api_key_id, r.model, r.num_model_requests, r.project_id]),
        [
          // A tenant is a project (issue 14): project_id names it when grouped by it.
          ['key_a', 'm1', 2, 't1'],
          ['key_a', 'm2', 1, 't1'],
          ['key_b', 'm1', 1, 't1'],
        ],
      );
    });

    it('should filter by models and api_key_ids', async () => {
      await upsertUsageBuckets(store.db, [
        row({ bucket_start: T0, model: 'm1', api_key_id: 'key_a', input_tokens: 1 }),
        row({ bucket_start: T0, model: 'm2', api_key_id: 'key_a', input_tokens: 10 }),
        row({ bucket_start: T0, model: 'm1', api_key_id: 'key_b', input_tokens: 100 }),
      ]);
      const total = async (p: { models?: string[]; api_key_ids?: string[] }) =>
        (await listCompletionsUsage(deps, caller, { start_time: T0, end_time: T0 + DAY, ...p })).data[0]!.results[0]
          ?.input_tokens;
      assert.equal(await total({ models: ['m1'] }), 101);
      assert.equal(await total({ api_key_ids: ['key_a'] }), 11);
      assert.equal(await total({ models: ['m2'], api_key_ids: ['key_b'] }), undefined);
    });

    it("should not show another tenant's usage", async () => {
      await upsertUsageBuckets(store.db, [
        row({ bucket_start: T0, tenant_id: 't2', input_tokens: 999 }),
        row({ bucket_start: T0, input_tokens: 1 }),
      ]);
      const usage = await listCompletionsUsage(deps, caller, { start_time: T0, end_time: T0 + DAY });
      assert.equal(usage.data[0]!.results[0]!.input_tokens, 1);
      const other = await listCosts(deps, { tenantId: 't3', apiKeyId: 'k' }, { start_time: T0, end_time: T0 + DAY });
      assert.deepEqual(other.data[0]!.results, []);
    });

    it('should add tool, embeddings and storage line items to the costs; a key filter leaves storage out', async () => {
      await upsertUsageBuckets(store.db, [row({ bucket_start: T0, cost_usd: 0.5 })]);
      const meter = { tenant_id: 't1', api_key_id: 'key_a', bucket_start: T0 + 60, num_requests: 1 };
      await upsertUsageMeters(store.db, [
        { ...meter, meter: 'file_search_calls', subject: 'vs_1', quantity: 4, cost_usd: 0.01 },
        { ...meter, meter: 'embeddings', subject: 'emb', quantity: 1000, cost_usd: 0.00002, api_key_id: '' },
      ]);
      // 1 GiB for an hour at 2.4 USD per GiB-day: 0.1 USD.
      await upsertStorageSamples(store.db, [{ tenant_id: 't1', bucket_start: T0 + 3600, seconds: 3600, usage_bytes: 1024 ** 3, cost_usd: 0.1 }]);
      const page = await listCosts(deps, caller, { start_time: T0, end_time: T0 + DAY, group_by: ['line_item'] });
      assert.deepEqual(
        page.data[0]!.results.map((r) => [r.line_item, r.amount?.value, r.quantity, r.quantity_unit]),
        [
          ['emb', 0.00002, 1000, 'tokens'],
          ['file_search_calls', 0.01, 4, 'calls'],
          ['m1', 0.5, 110, 'tokens'],
          ['vector_store_storage', 0.1, 1, 'gibibyte_hours'],
        ],
      );
      const byKey = await listCosts(deps, caller, { start_time: T0, end_time: T0 + DAY, api_key_ids: ['key_a'] });
      assert.deepEqual(byKey.data[0]!.results.map((r) => r.amount?.value), [0.51]);
    });

    it('should return nothing for batch=true', async () => {
      await upsertUsageBuckets(store.db, [row({ bucket_start: T0 })]);
      const page = await listCompletionsUsage(deps, caller, { start_time: T0, end_time: T0 + DAY, batch: true });
      assert.deepEqual(page.data[0]!.results, []);
    });

    it('should price costs from the price table, cached tokens included, grouped by line item', async () => {
      const recorder = new UsageRecorder({
        db: store.db,
        prices: { m1: { input: 2, output: 8, cached_input: 1 }, 'up-m2': { input: 3, output: 6 } },
        flushMs: 60_000,
        log: { error: () => {}, warn: () => {} },
      });
      const base = { tenantId: 't1', apiKeyId: 'key_a', reasoningTokens: 0, at: (T0 + 30) * 1000 };
      recorder.record({ ...base, model: 'm1', upstreamModel: 'x', inputTokens: 1000, cachedTokens: 400, outputTokens: 500 });
      recorder.record({ ...base, model: 'm2', upstreamModel: 'up-m2', inputTokens: 1000, cachedTokens: 400, outputTokens: 0 });
      recorder.record({ ...base, model: 'free', upstreamModel: 'free', inputTokens: 5, cachedTokens: 0, outputTokens: 5 });
      recorder.record({ ...base, model: 'm1', upstreamModel: 'x', at: (T0 + DAY) * 1000, inputTokens: 0, cachedTokens: 0, outputTokens: 1000 });
      await recorder.close();

      const m1Day0 = (600 * 2 + 400 * 1 + 500 * 8) / 1e6;
      const m2Day0 = (1000 * 3) / 1e6;
      const costs = await listCosts(deps, caller, { start_time: T0, end_time: T0 + 2 * DAY });
      assert.equal(costs.data.length, 2);
      const [day0] = costs.data[0]!.results;
      assert.equal(day0?.object, 'organization.costs.result');
      assert.equal(day0?.amount?.currency, 'usd');
      assert.ok(Math.abs(day0!.amount!.value! - (m1Day0 + m2Day0)) < 1e-12);
      assert.deepEqual(
        { ...day0, amount: undefined },
        { ...day0, amount: undefined, line_item: null, project_id: null, api_key_id: null, quantity: null, quantity_unit: null },
      );
      assert.ok(Math.abs(costs.data[1]!.results[0]!.amount!.value! - 8000 / 1e6) < 1e-12);

      const byItem = await listCosts(deps, caller, {
        start_time: T0,
        end_time: T0 + DAY,
        group_by: ['line_item', 'api_key_id'],
      });
      const items = byItem.data[0]!.results.map((r) => [r.line_item, r.api_key_id, r.amount?.value, r.quantity]);
      assert.deepEqual(
        items.map(([item, key, , quantity]) => [item, key, quantity]),
        [
          ['free', 'key_a', 10],
          ['m1', 'key_a', 1500],
          ['m2', 'key_a', 1000],
        ],
      );
      assert.equal(items[0]![2], 0);
      assert.ok(Math.abs((items[1]![2] as number) - m1Day0) < 1e-12);
      assert.ok(Math.abs((items[2]![2] as number) - m2Day0) < 1e-12);
    });

    it('should default costs to 7 day buckets ending now', async () => {
      const costs = await listCosts(deps, caller, { start_time: T0 });
      assert.equal(costs.data.length, 7);
      assert.equal(costs.has_more, true);
      const next = await listCosts(deps, caller, { start_time: T0, page: costs.next_page!, limit: 180 });
      assert.deepEqual(
        next.data.map((b) => b.start_time),
        // Day 10 began at now (the clock's first millisecond of it): its bucket is there, as at any later moment of it.
        [7, 8, 9, 10].map((d) => T0 + d * DAY),
      );
      assert.equal(next.has_more, false);
    });
  });
}
