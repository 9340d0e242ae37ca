import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxFusedScore, reciprocalRankFusion } from './fuse.js';

describe('reciprocalRankFusion', () => {
  it('should sum 1 / (k + rank) over the lists, ranks counted from 1', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['b', 'a', 'd'],
    ]);
    const score = Object.fromEntries(fused.map((f) => [f.id, f.score]));
    assert.equal(score.a, 1 / 61 + 1 / 62);
    assert.equal(score.b, 1 / 62 + 1 / 61);
    assert.equal(score.c, 1 / 63);
    assert.equal(score.d, 1 / 63);
  });

  it('should rank an item found by both lists above items found by one', () => {
    const fused = reciprocalRankFusion([
      ['x', 'both'],
      ['y', 'both'],
    ]);
    assert.equal(fused[0]!.id, 'both');
  });

  it('should break ties by first appearance and count duplicates once', () => {
    const fused = reciprocalRankFusion([['a', 'b', 'a'], ['c']]);
    assert.deepEqual(
      fused.map((f) => f.id),
      ['a', 'c', 'b'],
    );
    assert.equal(fused[0]!.score, 1 / 61);
  });

  it('should honour a custom k and accept numeric ids', () => {
    const fused = reciprocalRankFusion([[7, 8]], 0);
    assert.deepEqual(fused, [
      { id: 7, score: 1 },
      { id: 8, score: 0.5 },
    ]);
  });

  it('should return nothing for no lists or empty lists', () => {
    assert.deepEqual(reciprocalRankFusion([]), []);
    assert.deepEqual(reciprocalRankFusion([[], []]), []);
  });

  it('should give the best possible score for first place in every list', () => {
    const [top] = reciprocalRankFusion([['a'], ['a'], ['a']]);
    assert.equal(top!.score, maxFusedScore(3));
    assert.equal(maxFusedScore(2, 60), 2 / 61);
  });
});
