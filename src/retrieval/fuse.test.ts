import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HYBRID_WEIGHTS, fuseHybrid, maxFusedScore, reciprocalRankFusion, weightShares } from './fuse.js';

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

const c = (id: string, score: number) => ({ id, score });
const ids = (items: { id: string }[]) => items.map((i) => i.id);
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

describe('fuseHybrid', () => {
  // vector: cosine similarities; keyword: -bm25 (any non-negative scale).
  const vector = [c('para', 0.62), c('twin', 0.6), c('code', 0.58), c('other', 0.3)];
  const keyword = [c('code', 8), c('twin', 4), c('other', 2)];

  it('should score e · cosine + t · (keyword / best)² with the default 0.85 / 0.15', () => {
    const fused = fuseHybrid({ keyword, vector });
    assert.deepEqual(ids(fused), ['code', 'twin', 'para', 'other']);
    const score = Object.fromEntries(fused.map((f) => [f.id, f.score]));
    close(score.code!, 0.85 * 0.58 + 0.15 * 1);
    close(score.twin!, 0.85 * 0.6 + 0.15 * 0.25);
    close(score.para!, 0.85 * 0.62);
    close(score.other!, 0.85 * 0.3 + 0.15 * (2 / 8) ** 2);
  });

  it('should let a weak keyword match (a quarter of the best score) move nothing past a clearly closer vector hit', () => {
    const fused = fuseHybrid({ keyword: [c('a', 10), c('b', 2.5)], vector: [c('b', 0.5), c('a', 0.3), c('x', 0.49)] });
    // a: 0.255 + 0.15 = 0.405; b: 0.425 + 0.009375; x: 0.4165
    assert.deepEqual(ids(fused), ['b', 'x', 'a']);
  });

  it('should follow the weights: text only, embedding only, and in between', () => {
    assert.deepEqual(ids(fuseHybrid({ keyword, vector, weights: { embedding_weight: 0, text_weight: 1 } })), ['code', 'twin', 'other', 'para']);
    assert.deepEqual(ids(fuseHybrid({ keyword, vector, weights: { embedding_weight: 1, text_weight: 0 } })), ['para', 'twin', 'code', 'other']);
    // Only the ratio counts: 3 : 1 is 0.75 / 0.25.
    assert.deepEqual(
      fuseHybrid({ keyword, vector, weights: { embedding_weight: 3, text_weight: 1 } }),
      fuseHybrid({ keyword, vector, weights: { embedding_weight: 0.75, text_weight: 0.25 } }),
    );
  });

  it('should give a keyword-only hit the lowest returned similarity, and count a repeated id once', () => {
    const fused = fuseHybrid({ keyword: [c('k', 1), c('k', 0.5)], vector: [c('v', 0.9), c('w', 0.4)] });
    assert.deepEqual(ids(fused), ['v', 'k', 'w']);
    close(fused[1]!.score, 0.85 * 0.4 + 0.15);
  });

  it('should keep every score in [0, 1], clamping negative and >1 similarities', () => {
    const fused = fuseHybrid({ keyword: [c('a', 3)], vector: [c('a', 1.2), c('b', -0.4)] });
    assert.deepEqual(fused, [
      { id: 'a', score: 1 },
      { id: 'b', score: 0 },
    ]);
  });

  it('should score one ranker alone as that ranker: cosine, or (keyword / best)²', () => {
    assert.deepEqual(fuseHybrid({ vector: [c('a', 0.7), c('b', 0.2)] }), [c('a', 0.7), c('b', 0.2)]);
    assert.deepEqual(fuseHybrid({ keyword: [c('a', 4), c('b', 2), c('z', 0)] }), [c('a', 1), c('b', 0.25), c('z', 0)]);
    assert.deepEqual(fuseHybrid({}), []);
  });

  it('should keep first-met order on ties, vector candidates first', () => {
    const fused = fuseHybrid({ keyword: [c('k', 1)], vector: [c('v', 0.15 / 0.85 + 0.5), c('w', 0.5)], weights: DEFAULT_HYBRID_WEIGHTS });
    assert.deepEqual(ids(fused), ['v', 'k', 'w']);
  });
});

describe('weightShares', () => {
  it('should turn weights into shares of 1', () => {
    assert.deepEqual(weightShares({ embedding_weight: 1, text_weight: 3 }), { embedding: 0.25, text: 0.75 });
    assert.deepEqual(weightShares({ embedding_weight: 0, text_weight: 2 }), { embedding: 0, text: 1 });
  });

  it('should refuse negative, non-finite and all-zero weights', () => {
    for (const [e, t] of [[-1, 1], [1, Number.NaN], [Number.POSITIVE_INFINITY, 1], [0, 0]] as const)
      assert.throws(() => weightShares({ embedding_weight: e, text_weight: t }), RangeError);
  });
});
