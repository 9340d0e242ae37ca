import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toFunctions } from './turn-plan.js';

describe('toFunctions', () => {
  it('should keep a function named like an Object.prototype member as an own entry, never as the prototype', () => {
    const params = { type: 'object', properties: { x: { type: 'string' } } };
    const functions = toFunctions(
      ['__proto__', 'constructor', 'toString'].map((name) => ({ type: 'function' as const, function: { name, parameters: params } })),
    );
    assert.equal(Object.getPrototypeOf(functions), Object.prototype);
    assert.deepEqual(Object.keys(functions), ['__proto__', 'constructor', 'toString']);
    assert.ok(Object.hasOwn(functions, '__proto__'));
    assert.deepEqual(Object.keys(Object.getOwnPropertyDescriptor(functions, '__proto__')?.value ?? {}), ['params']);
  });
});
