import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { float4Text, queryItemOrder, TS_RANK_TERMS, tsRankFinish, tsRankLengthDivisor } from './ts-rank.js';

/** ts_rank(tsvector, tsquery, 1) from each query lexeme's number of positions in the chunk (0: absent). */
function rank(tfs: number[], positions: number): number {
  const sums = new Float32Array(1);
  for (const tf of tfs) if (tf > 0) sums[0] = sums[0]! + TS_RANK_TERMS[tf]!;
  return float4Text(tsRankFinish(sums[0]!, tfs.length, tsRankLengthDivisor(positions)));
}

describe('ts-rank', () => {
  // The values PostgreSQL 15 prints for these, e.g. select ts_rank(to_tsvector('english', 'cat dog cat cat bird'), 'cat | bird | fish'::tsquery, 1).
  it("should give PostgreSQL's float4 ts_rank for OR queries of plain lexemes", () => {
    assert.equal(rank([1], 1), 0.06079271); // 'cat' in 'cat'
    assert.equal(rank([1, 3, 0], 5), 0.018509403); // bird, cat (3 times), not fish; 5 positions
    assert.equal(rank([0, 0, 1], 1), 0.020264236); // fish in 'fish', of three query lexemes
  });

  it('should visit query lexemes in byte order, once each', () => {
    assert.deepEqual(queryItemOrder(['zeta', 'alpha', 'zeta', 'alp', 'Zulu', 'é']), ['Zulu', 'alp', 'alpha', 'zeta', 'é']);
  });

  it('should print a float4 with the shortest digits that read back to it', () => {
    assert.equal(float4Text(Math.fround(0.1)), 0.1);
    assert.equal(float4Text(Math.fround(0.018509403)), 0.018509403);
    assert.equal(float4Text(0), 0);
  });
});
