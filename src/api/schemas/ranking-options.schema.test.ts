import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors.js';
import { parseRequest } from './common.schema.js';
import { searchVectorStoreSchema } from './vector-stores.schema.js';

/** [param, code, message] of the 400 a vector store search body answers. */
function rejection(ranking_options: unknown): [string | null, string | null, string] {
  try {
    parseRequest(searchVectorStoreSchema, { query: 'q', ranking_options });
  } catch (err) {
    assert.ok(err instanceof ApiError && err.status === 400);
    return [err.param, err.code, err.message];
  }
  assert.fail('accepted');
}

describe('ranking_options', () => {
  it('should accept any non-negative weights, the ranker names and a threshold in [0, 1]', () => {
    const parsed = parseRequest(searchVectorStoreSchema, {
      query: 'q',
      ranking_options: { ranker: 'none', score_threshold: 1, hybrid_search: { embedding_weight: 0, text_weight: 2.5 } },
    });
    assert.deepEqual(parsed.ranking_options, { ranker: 'none', score_threshold: 1, hybrid_search: { embedding_weight: 0, text_weight: 2.5 } });
  });

  it('should refuse a negative, a missing or a non-number weight, and both weights 0', () => {
    assert.deepEqual(rejection({ hybrid_search: { embedding_weight: 1, text_weight: -0.5 } }).slice(0, 2), [
      'ranking_options.hybrid_search.text_weight',
      'decimal_below_min_value',
    ]);
    assert.deepEqual(rejection({ hybrid_search: { text_weight: 1 } }), [
      'ranking_options.hybrid_search.embedding_weight',
      'missing_required_parameter',
      "Missing required parameter: 'ranking_options.hybrid_search.embedding_weight'.",
    ]);
    assert.equal(rejection({ hybrid_search: { embedding_weight: null, text_weight: 1 } })[1], 'invalid_type');
    assert.deepEqual(rejection({ hybrid_search: { embedding_weight: 0, text_weight: 0 } }), [
      'ranking_options.hybrid_search',
      'invalid_value',
      "Invalid 'ranking_options.hybrid_search': embedding_weight and text_weight cannot both be 0.",
    ]);
  });

  it('should refuse a score_threshold outside [0, 1] and an unknown ranker', () => {
    assert.equal(rejection({ score_threshold: 1.5 })[0], 'ranking_options.score_threshold');
    assert.equal(rejection({ score_threshold: -0.1 })[0], 'ranking_options.score_threshold');
    assert.deepEqual(rejection({ ranker: 'best' }).slice(0, 2), ['ranking_options.ranker', 'invalid_value']);
  });
});
