import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANY_JSON, toGrammarSchema } from './json-schema.js';

describe('toGrammarSchema', () => {
  it('should keep what node-llama-cpp understands: types, bounds, enums, const, descriptions', () => {
    const schema = {
      type: 'object',
      description: 'a person',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 8, pattern: '^[a-z]+$' },
        age: { type: 'integer', minimum: 0 },
        kind: { enum: ['a', 'b', 3, null] },
        fixed: { const: true },
        tags: { type: 'array', items: { type: 'string', maxLength: 4 }, minItems: 1, maxItems: 3 },
        born: { type: 'string', format: 'date' },
        email: { type: 'string', format: 'email' },
      },
      required: ['name'],
      additionalProperties: false,
    };
    assert.deepEqual(toGrammarSchema(schema), {
      type: 'object',
      description: 'a person',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 8 },
        age: { type: 'integer' },
        kind: { enum: ['a', 'b', 3, null] },
        fixed: { const: true },
        tags: { type: 'array', items: { type: 'string', minLength: undefined, maxLength: 4 }, minItems: 1, maxItems: 3 },
        born: { type: 'string', format: 'date' },
        email: { type: 'string', minLength: undefined, maxLength: undefined },
      },
      minProperties: undefined,
      maxProperties: undefined,
    });
  });

  it('should turn anyOf into oneOf, and type lists into basic type lists or alternatives', () => {
    assert.deepEqual(toGrammarSchema({ anyOf: [{ type: 'string', maxLength: 2 }, { type: 'null' }] }), {
      oneOf: [{ type: 'string', minLength: undefined, maxLength: 2 }, { type: 'null' }],
    });
    assert.deepEqual(toGrammarSchema({ type: ['string', 'null'] }), { type: ['string', 'null'] });
    assert.deepEqual(toGrammarSchema({ type: ['string', 'null'], maxLength: 3 }), {
      oneOf: [{ type: 'string', minLength: undefined, maxLength: 3 }, { type: 'null' }],
    });
  });

  it('should make an untyped schema any JSON value, not null (node-llama-cpp reads no type as null)', () => {
    assert.deepEqual(toGrammarSchema({}), ANY_JSON);
    assert.deepEqual(toGrammarSchema({ description: 'anything' }), ANY_JSON);
    assert.deepEqual(toGrammarSchema(true), ANY_JSON);
  });

  it('should let an object without properties take any properties unless additionalProperties is false', () => {
    assert.equal((toGrammarSchema({ type: 'object' }) as { additionalProperties?: unknown }).additionalProperties, true);
    assert.equal((toGrammarSchema({ type: 'object', additionalProperties: false }) as { additionalProperties?: unknown }).additionalProperties, false);
  });

  it('should rewrite #/definitions refs into $defs and drop refs it cannot follow', () => {
    const converted = toGrammarSchema({
      type: 'object',
      properties: { child: { $ref: '#/definitions/node' } },
      definitions: { node: { type: 'string', maxLength: 3 } },
    }) as unknown as { properties: { child: unknown }; $defs: unknown };
    assert.deepEqual(converted.properties.child, { $ref: '#/$defs/node' });
    assert.deepEqual(converted.$defs, { node: { type: 'string', minLength: undefined, maxLength: 3 } });
    assert.deepEqual(toGrammarSchema({ $ref: '#' }), ANY_JSON);
  });

  it('should merge allOf object parts', () => {
    const merged = toGrammarSchema({
      allOf: [
        { type: 'object', properties: { a: { type: 'boolean' } } },
        { properties: { b: { type: 'null' } } },
      ],
    }) as { properties?: Record<string, unknown> };
    assert.deepEqual(Object.keys(merged.properties ?? {}), ['a', 'b']);
  });
});
