import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonBodyProblem, MAX_JSON_DEPTH } from './json-body.js';

const nested = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { k: v };
  return v;
};
const problem = (text: string, nul = true) => jsonBodyProblem(JSON.parse(text), { nul });

describe('jsonBodyProblem', () => {
  it('should accept nesting up to MAX_JSON_DEPTH and refuse one level more', () => {
    assert.equal(jsonBodyProblem(nested(MAX_JSON_DEPTH), { nul: true }), undefined);
    assert.equal(jsonBodyProblem(nested(MAX_JSON_DEPTH + 1), { nul: true })?.status, 400);
  });

  it('should refuse a __proto__ key anywhere and name where it is', () => {
    const e = problem('{"tools":[{"function":{"parameters":{"__proto__":{"x":1}}}}]}');
    assert.equal(e?.param, 'tools[0].function.parameters.__proto__');
  });

  it('should refuse constructor.prototype but not a constructor key alone', () => {
    assert.equal(problem('{"a":{"constructor":{"prototype":{}}}}')?.param, 'a.constructor');
    assert.equal(problem('{"constructor":"x","prototype":{"constructor":{}}}'), undefined);
  });

  it('should point at the string that holds a NUL', () => {
    assert.equal(problem('{"messages":[{"content":"a\\u0000"}]}')?.param, 'messages[0].content');
    assert.equal(problem('{"metadata":{"k\\u0000":"v"}}')?.param, 'metadata');
  });

  it('should not look for NULs when told there are none', () => {
    assert.equal(problem('{"name":"a\\u0000"}', false), undefined);
  });

  it('should walk a long array of numbers', () => {
    assert.equal(jsonBodyProblem({ input: Array.from({ length: 100_000 }, (_, i) => i) }, { nul: true }), undefined);
  });
});
