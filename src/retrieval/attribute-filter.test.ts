import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchesFilter, type AttributeFilter } from './attribute-filter.js';

const attrs = { author: 'ada', year: 2021, draft: false, date: '2024-05-01' };

describe('matchesFilter', () => {
  const cases: Array<[AttributeFilter, boolean]> = [
    [{ type: 'eq', key: 'author', value: 'ada' }, true],
    [{ type: 'eq', key: 'author', value: 'bob' }, false],
    [{ type: 'eq', key: 'year', value: '2021' }, false],
    [{ type: 'eq', key: 'draft', value: false }, true],
    [{ type: 'ne', key: 'author', value: 'bob' }, true],
    [{ type: 'ne', key: 'missing', value: 'x' }, true],
    [{ type: 'eq', key: 'missing', value: 'x' }, false],
    [{ type: 'gt', key: 'year', value: 2020 }, true],
    [{ type: 'gte', key: 'year', value: 2021 }, true],
    [{ type: 'lt', key: 'year', value: 2021 }, false],
    [{ type: 'lte', key: 'year', value: 2021 }, true],
    [{ type: 'gt', key: 'year', value: '2020' }, false],
    [{ type: 'gte', key: 'date', value: '2024-01-01' }, true],
    [{ type: 'gt', key: 'missing', value: 1 }, false],
    [{ type: 'in', key: 'author', value: ['bob', 'ada'] }, true],
    [{ type: 'in', key: 'year', value: [2020, 2022] }, false],
    [{ type: 'nin', key: 'author', value: ['bob'] }, true],
    [{ type: 'nin', key: 'author', value: ['ada'] }, false],
  ];
  for (const [filter, want] of cases)
    it(`should give ${want} for ${filter.type} ${JSON.stringify(filter)}`, () => {
      assert.equal(matchesFilter(attrs, filter), want);
    });

  it('should combine filters with and / or, nested', () => {
    const yes = { type: 'eq', key: 'author', value: 'ada' } as const;
    const no = { type: 'eq', key: 'author', value: 'bob' } as const;
    assert.equal(matchesFilter(attrs, { type: 'and', filters: [yes, no] }), false);
    assert.equal(matchesFilter(attrs, { type: 'or', filters: [yes, no] }), true);
    assert.equal(matchesFilter(attrs, { type: 'and', filters: [yes, { type: 'or', filters: [no, yes] }] }), true);
    assert.equal(matchesFilter(attrs, { type: 'and', filters: [] }), true);
    assert.equal(matchesFilter(attrs, { type: 'or', filters: [] }), false);
  });

  it('should treat a file without attributes as having none', () => {
    assert.equal(matchesFilter(null, { type: 'eq', key: 'author', value: 'ada' }), false);
    assert.equal(matchesFilter(null, { type: 'ne', key: 'author', value: 'ada' }), true);
  });
});
