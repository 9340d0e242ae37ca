import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UsageCompletionsResponse, UsageCostsResponse } from 'openai/resources/admin/organization/usage';
import { NO_GROUP, periodWindow, toDateValue, toUsageSeries } from '../../console/src/lib/usage-series.js';

const DAY = 86_400;
const T0 = 1_796_428_800; // 2026-12-05 00:00 UTC

function tokens(model: string | null, apiKey: string | null, input: number, output: number, requests = 1) {
  return {
    object: 'organization.usage.completions.result' as const,
    input_tokens: input,
    output_tokens: output,
    num_model_requests: requests,
    model,
    api_key_id: apiKey,
  };
}
const bucket = <R>(start: number, results: R[]) => ({ object: 'bucket' as const, start_time: start, end_time: start + DAY, results });
const cost = (lineItem: string | null, apiKey: string | null, value: number) => ({
  object: 'organization.costs.result' as const,
  amount: { value, currency: 'usd' },
  line_item: lineItem,
  api_key_id: apiKey,
});

describe('toUsageSeries', () => {
  it('should join tokens and costs per day and model, and total the cost per day', () => {
    const completions: UsageCompletionsResponse.Data[] = [
      bucket(T0, [tokens('m1', null, 10, 5, 2), tokens('m2', null, 1, 1)]),
      bucket(T0 + DAY, []),
    ];
    const costs: UsageCostsResponse.Data[] = [
      bucket(T0, [cost('m1', null, 0.5), cost('file_search_calls', null, 0.25)]),
      bucket(T0 + DAY, [cost('m1', null, 1)]),
    ];
    const s = toUsageSeries({ completions, costs, groupBy: 'model' });
    assert.deepEqual(s.days, [T0, T0 + DAY]);
    assert.deepEqual(s.groups, ['m1', 'm2']);
    assert.deepEqual(s.tokens, [
      [15, 0],
      [2, 0],
    ]);
    assert.deepEqual(s.cost, [0.75, 1]);
    assert.deepEqual(
      s.rows.map((r) => [r.day, r.group, r.input_tokens, r.output_tokens, r.requests, r.cost]),
      [
        [T0, 'file_search_calls', 0, 0, 0, 0.25],
        [T0, 'm1', 10, 5, 2, 0.5],
        [T0, 'm2', 1, 1, 1, 0],
        [T0 + DAY, 'm1', 0, 0, 0, 1],
      ],
    );
  });

  it('should group by key, naming a null key', () => {
    const s = toUsageSeries({
      completions: [bucket(T0, [tokens(null, 'key_a', 3, 4)])],
      costs: [bucket(T0, [cost(null, 'key_a', 0.1), cost(null, null, 0.2)])],
      groupBy: 'api_key_id',
    });
    assert.deepEqual(s.groups, ['key_a']);
    assert.deepEqual(
      s.rows.map((r) => [r.group, r.input_tokens + r.output_tokens, r.cost]),
      [
        [NO_GROUP, 0, 0.2],
        ['key_a', 7, 0.1],
      ],
    );
  });
});

describe('periodWindow', () => {
  it('should cover both days of the period', () => {
    assert.deepEqual(periodWindow(toDateValue(T0), toDateValue(T0 + DAY)), { start_time: T0, end_time: T0 + 2 * DAY, days: 2 });
  });

  it('should refuse a reversed or malformed period', () => {
    assert.equal(periodWindow('2026-12-05', '2026-12-04'), 'The end date is before the start date.');
    assert.equal(periodWindow('', '2026-12-04'), 'Pick a start and an end date.');
    assert.equal(periodWindow('2026-01-01', '2026-12-31'), 'Pick a period of at most 180 days.');
  });
});
