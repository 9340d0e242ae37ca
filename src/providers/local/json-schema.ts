import type { GbnfJsonSchema, GbnfJsonSchemaImmutableType } from 'node-llama-cpp';

/**
 * A JSON Schema as clients send it (tool parameters, response_format json_schema) → the subset
 * node-llama-cpp turns into a grammar. Its quirks, handled here:
 * - `anyOf` is not understood (only `oneOf`): both become `oneOf`;
 * - a schema without `type` (`{}`, only a description) would allow nothing but `null`: it becomes any JSON value;
 * - `{"type":"object"}` without properties would allow only `{}`: it takes any properties;
 * - `$ref`s must point into `$defs`: `#/definitions/x` is rewritten;
 * - `required` is ignored: every listed property is always generated (a valid instance either way);
 * - keywords it does not know (`pattern`, `minimum`, most `format`s…) are dropped, so they are not enforced.
 */

type Schema = Record<string, unknown>;

const BASIC: readonly GbnfJsonSchemaImmutableType[] = ['string', 'number', 'integer', 'boolean', 'null'];
const FORMATS = ['date-time', 'time', 'date'] as const;
const MAX_DEPTH = 64;

export const ANY_JSON: GbnfJsonSchema = {
  oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'object', additionalProperties: true }],
};

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
type Literal = string | number | boolean | null;
const isLiteral = (v: unknown): v is Literal =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isBasic = (t: unknown): t is GbnfJsonSchemaImmutableType => BASIC.includes(t as GbnfJsonSchemaImmutableType);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

function defs(s: Schema, depth: number): { $defs?: Record<string, GbnfJsonSchema> } {
  const source = isObject(s.$defs) ? s.$defs : isObject(s.definitions) ? s.definitions : undefined;
  if (!source) return {};
  return { $defs: Object.fromEntries(Object.entries(source).map(([k, v]) => [k, convert(v, depth + 1)])) };
}

function objectSchema(s: Schema, depth: number): GbnfJsonSchema {
  const props = isObject(s.properties) ? Object.entries(s.properties) : [];
  const extra = s.additionalProperties;
  const bounds = { minProperties: count(s.minProperties), maxProperties: count(s.maxProperties) };
  if (props.length === 0)
    return { type: 'object', additionalProperties: extra === false ? false : isObject(extra) ? convert(extra, depth + 1) : true, ...bounds, ...defs(s, depth) };
  return {
    type: 'object',
    properties: Object.fromEntries(props.map(([k, v]) => [k, convert(v, depth + 1)])),
    ...(extra === true ? { additionalProperties: true } : isObject(extra) ? { additionalProperties: convert(extra, depth + 1) } : {}),
    ...bounds,
    ...defs(s, depth),
  };
}

function arraySchema(s: Schema, depth: number): GbnfJsonSchema {
  const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
  const items = isObject(s.items) || s.items === true ? convert(s.items, depth + 1) : tuple ? undefined : ANY_JSON;
  return {
    type: 'array',
    ...(items ? { items } : {}),
    ...(tuple ? { prefixItems: tuple.map((t) => convert(t, depth + 1)) } : {}),
    minItems: count(s.minItems),
    maxItems: count(s.maxItems),
    ...defs(s, depth),
  };
}

function typed(s: Schema, type: string, depth: number): GbnfJsonSchema {
  const description = typeof s.description === 'string' ? { description: s.description } : {};
  switch (type) {
    case 'string': {
      const format = FORMATS.find((f) => f === s.format);
      if (format) return { type: 'string', format, ...description };
      return { type: 'string', minLength: count(s.minLength), maxLength: count(s.maxLength), ...description };
    }
    case 'object':
      return { ...objectSchema(s, depth), ...description };
    case 'array':
      return { ...arraySchema(s, depth), ...description };
    default:
      return isBasic(type) ? { type, ...description } : ANY_JSON;
  }
}

function convert(schema: unknown, depth: number): GbnfJsonSchema {
  if (!isObject(schema) || depth > MAX_DEPTH) return ANY_JSON;
  const s = schema;
  const description = typeof s.description === 'string' ? { description: s.description } : {};
  if ('const' in s && isLiteral(s.const)) return { const: s.const, ...description };
  if (Array.isArray(s.enum)) {
    const values = s.enum.filter(isLiteral);
    if (values.length > 0) return { enum: values, ...description };
  }
  if (typeof s.$ref === 'string') {
    const ref = s.$ref.replace(/^#\/definitions\//, '#/$defs/');
    if (!ref.startsWith('#/$defs/')) return ANY_JSON;
    return { ...({ $ref: ref } as unknown as GbnfJsonSchema), ...description, ...defs(s, depth) } as GbnfJsonSchema;
  }
  const alternatives = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (alternatives) return { oneOf: alternatives.map((a) => convert(a, depth + 1)), ...description, ...defs(s, depth) };
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    // A merge of the parts, as far as they are object schemas.
    const merged: Schema = { ...s, allOf: undefined };
    for (const part of s.allOf.filter(isObject)) {
      Object.assign(merged, part, { properties: { ...(isObject(merged.properties) ? merged.properties : {}), ...(isObject(part.properties) ? part.properties : {}) } });
    }
    return convert(merged, depth + 1);
  }
  const types = Array.isArray(s.type) ? s.type.filter((t): t is string => typeof t === 'string') : typeof s.type === 'string' ? [s.type] : [];
  if (types.length === 0) {
    if (isObject(s.properties)) return typed(s, 'object', depth);
    if (s.items !== undefined || s.prefixItems !== undefined) return typed(s, 'array', depth);
    return ANY_JSON;
  }
  if (types.length === 1) return typed(s, types[0]!, depth);
  const bounded = s.minLength !== undefined || s.maxLength !== undefined || s.format !== undefined;
  if (types.every(isBasic) && !bounded) return { type: types, ...description };
  return { oneOf: types.map((t) => typed(s, t, depth)), ...description };
}

/** A client's JSON Schema as a grammar schema node-llama-cpp accepts (see the quirks above). */
export function toGrammarSchema(schema: unknown): GbnfJsonSchema {
  return convert(schema, 0);
}
