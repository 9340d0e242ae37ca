import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deltasOf, headersOf, planOf, plansOf } from './rate-limit-plan.js';

const ALL = { max_requests_per_1_minute: 10, max_tokens_per_1_minute: 1000, max_requests_per_1_day: 500 };
/** 30 s into a minute, 3 630 s into a day. */
const NOW = 86_400 * 3 + 3600 + 30;

describe('planOf', () => {
  it('should plan only the limited windows, with the key of each built once', () => {
    const plan = planOf('proj_a', 'gpt-4o', { ...ALL, max_requests_per_1_day: 0 })!;
    assert.deepEqual(
      plan.windows.map((w) => [w.name, w.limit, w.key, w.seconds]),
      [
        ['rpm', 10, 'proj_a\ngpt-4o\nrpm', 60],
        ['tpm', 1000, 'proj_a\ngpt-4o\ntpm', 60],
      ],
    );
    assert.equal(plan.requests?.name, 'rpm');
    assert.equal(plan.tokens?.name, 'tpm');
  });

  it('should report the day window in the requests trio when there is no minute limit, and plan nothing without limits', () => {
    assert.equal(planOf('p', 'm', { ...ALL, max_requests_per_1_minute: 0 })!.requests?.name, 'rpd');
    assert.equal(planOf('p', 'm', { max_requests_per_1_minute: 0, max_tokens_per_1_minute: 0, max_requests_per_1_day: 0 }), undefined);
  });
});

describe('plansOf', () => {
  it('should keep the plan of a model whose limits did not change, and plan anew one whose limits did', () => {
    const rows = [
      { model: 'gpt-4o', ...ALL },
      { model: 'gpt-4.1', ...ALL },
    ];
    const first = plansOf('p', rows, undefined);
    const again = plansOf('p', [rows[0]!, { ...rows[1]!, max_requests_per_1_minute: 20 }], first);
    assert.equal(again.get('gpt-4o'), first.get('gpt-4o'), 'the same limits keep the same plan object');
    assert.notEqual(again.get('gpt-4.1'), first.get('gpt-4.1'));
    assert.equal(again.get('gpt-4.1')!.requests!.limit, 20);
  });

  it('should drop a model whose limits are gone or all 0', () => {
    const first = plansOf('p', [{ model: 'a', ...ALL }, { model: 'b', ...ALL }], undefined);
    const again = plansOf('p', [{ model: 'a', max_requests_per_1_minute: 0, max_tokens_per_1_minute: 0, max_requests_per_1_day: 0 }], first);
    assert.deepEqual([...again.keys()], []);
  });
});

describe('deltasOf', () => {
  it('should add 1 to the requests windows and the tokens to the tokens window, each from its window start', () => {
    assert.deepEqual(deltasOf(planOf('p', 'm', ALL)!, NOW, 42), [
      { key: 'p\nm\nrpm', windowStart: NOW - 30, value: 1 },
      { key: 'p\nm\nrpd', windowStart: 86_400 * 3, value: 1 },
      { key: 'p\nm\ntpm', windowStart: NOW - 30, value: 42 },
    ]);
  });
});

describe('headersOf', () => {
  it("should answer OpenAI's six headers from the minute windows", () => {
    assert.deepEqual(headersOf(planOf('p', 'm', ALL)!, [3, 7, 1200], NOW), {
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '7',
      'x-ratelimit-reset-requests': '30s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '30s',
    });
  });

  it("should answer the day's trio alone for a model limited per day only", () => {
    const plan = planOf('p', 'm', { max_requests_per_1_minute: 0, max_tokens_per_1_minute: 0, max_requests_per_1_day: 500 })!;
    assert.deepEqual(headersOf(plan, [5], NOW), {
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '495',
      'x-ratelimit-reset-requests': `${86_400 - 3630}s`,
    });
  });

  it('should count the reset down as the clock moves, on the same plan', () => {
    const plan = planOf('p', 'm', ALL)!;
    const resets = [NOW, NOW, NOW + 1, NOW + 30].map((t) => headersOf(plan, [1, 1, 1], t)['x-ratelimit-reset-requests']);
    assert.deepEqual(resets, ['30s', '30s', '29s', '60s']);
  });

  it('should answer the tokens trio alone for a model limited in tokens only', () => {
    const plan = planOf('p', 'm', { max_requests_per_1_minute: 0, max_tokens_per_1_minute: 50, max_requests_per_1_day: 0 })!;
    assert.deepEqual(headersOf(plan, [8], NOW), {
      'x-ratelimit-limit-tokens': '50',
      'x-ratelimit-remaining-tokens': '42',
      'x-ratelimit-reset-tokens': '30s',
    });
  });
});
