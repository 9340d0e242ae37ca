import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors.js';
import { validateEmbeddingsRequest } from './embeddings.schema.js';

/** [param, code, message] of the 400 a body answers. */
function rejection(body: unknown): [string | null, string | null, string] {
  try {
    validateEmbeddingsRequest(body);
  } catch (err) {
    assert.ok(err instanceof ApiError && err.status === 400);
    return [err.param, err.code, err.message];
  }
  assert.fail('accepted');
}

const KINDS = 'one of a string, array of strings, array of integers, or array of arrays of integers';

describe('validateEmbeddingsRequest', () => {
  it('should word input problems as OpenAI does, naming input itself', () => {
    assert.deepEqual(rejection({ model: 'm' }), ['input', 'missing_required_parameter', "Missing required parameter: 'input'."]);
    assert.deepEqual(rejection({ model: 'm', input: 5 }), ['input', 'invalid_type', `Invalid type for 'input': expected ${KINDS}, but got an integer instead.`]);
    assert.deepEqual(rejection({ model: 'm', input: ['a', 1] }), [
      'input',
      'invalid_type',
      `Invalid type for 'input': expected ${KINDS}, but got an array that is none of these (or holds an empty array).`,
    ]);
    assert.equal(rejection({ model: 'm', input: [] })[1], 'empty_array');
    assert.equal(rejection({ model: 'm', input: Array(2049).fill([1]) })[1], 'array_above_max_length');
  });

  it('should word other fields with the shared zod mapper, as every endpoint does', () => {
    assert.deepEqual(rejection({ model: 'm', input: 'x', dimensions: 1.5 }), [
      'dimensions',
      'invalid_type',
      "Invalid type for 'dimensions': expected an integer, but got a decimal instead.",
    ]);
    assert.equal(rejection({ model: 'm', input: 'x', dimensions: 0 })[1], 'integer_below_min_value');
    assert.deepEqual(rejection({ model: 'm', input: 'x', encoding_format: 3 }), [
      'encoding_format',
      'invalid_type',
      "Invalid type for 'encoding_format': expected a string, but got an integer instead.",
    ]);
  });

  it('should accept every input kind and keep unknown fields', () => {
    for (const input of ['x', ['a', 'b'], [1, 2], [[1], [2, 3]]]) {
      const body = { model: 'm', input, extra: true };
      assert.equal(validateEmbeddingsRequest(body), body);
    }
  });
});
