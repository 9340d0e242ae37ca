/**
 * Building blocks shared by the Assistants API request schemas (assistants, threads, messages), with OpenAI's
 * limits, and parseRequest(): the first zod issue becomes OpenAI's error message / param / code. Unknown fields
 * are stripped, not rejected (real clients send extras). Optional fields accept `null`, as OpenAI does.
 */
import { z } from 'zod';
import { invalidRequest, type ApiError } from '../../errors.js';

const INTEGER = 'integer';
const NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;

export const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
const name64 = z.string().max(64).regex(NAME_PATTERN);
const jsonObject = z.record(z.string(), z.unknown());
const intRange = (min: number, max: number) => z.int({ error: INTEGER }).min(min, INTEGER).max(max, INTEGER);

/** Metadata: at most 16 pairs, keys ≤ 64 chars, string values ≤ 512 chars. */
export const metadataSchema = z.record(z.string(), z.unknown()).check((ctx) => {
  const keys = Object.keys(ctx.value);
  const fail = (path: string[], params: Record<string, string>): void => {
    ctx.issues.push({ code: 'custom', input: ctx.value, path, message: 'invalid metadata', params });
  };
  if (keys.length > 16)
    return fail([], {
      code: 'object_above_max_properties',
      detail:
        'too many properties. Expected an object with at most 16 properties, ' +
        `but got an object with ${keys.length} properties instead.`,
    });
  for (const key of keys) {
    const value = ctx.value[key];
    if (key.length > 64)
      return fail([], {
        code: 'string_above_max_length',
        detail: `key too long. Expected keys with maximum length 64, but got a key with length ${key.length} instead.`,
      });
    if (typeof value !== 'string') return fail([key], { code: 'invalid_type', expected: 'a string' });
    if (value.length > 512)
      return fail([key], {
        code: 'string_above_max_length',
        detail:
          'string too long. Expected a string with maximum length 512, ' +
          `but got a string with length ${value.length} instead.`,
      });
  }
}).transform((value) => value as Record<string, string>);

export const codeInterpreterToolSchema = z.object({ type: z.literal('code_interpreter') });
export const fileSearchToolSchema = z.object({
  type: z.literal('file_search'),
  file_search: z
    .object({
      max_num_results: intRange(1, 50).optional(),
      ranking_options: z
        .object({
          ranker: z.enum(['auto', 'default_2024_08_21']).optional(),
          score_threshold: z.number().min(0).max(1),
        })
        .optional(),
    })
    .optional(),
});
export const functionToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: name64,
    description: z.string().optional(),
    parameters: jsonObject.optional(),
    strict: opt(z.boolean()),
  }),
});
/** `tools` (≤ 128); `null` means none. */
export const toolsSchema = opt(
  z.array(z.discriminatedUnion('type', [codeInterpreterToolSchema, functionToolSchema, fileSearchToolSchema])).max(128),
).transform((tools) => (tools === null ? [] : tools));

export const responseFormatSchema = z.union(
  [
    z.literal('auto'),
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({
          name: name64,
          description: z.string().optional(),
          schema: jsonObject.optional(),
          strict: opt(z.boolean()),
        }),
      }),
    ]),
  ],
  { error: "one of 'auto' or an object" },
);

export const reasoningEffortSchema = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);

const chunkingStrategy = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto') }),
  z.object({
    type: z.literal('static'),
    static: z.object({ max_chunk_size_tokens: intRange(100, 4096), chunk_overlap_tokens: z.int({ error: INTEGER }) }),
  }),
]);
const vectorStoreHelper = z.object({
  file_ids: z.array(z.string()).optional(),
  chunking_strategy: chunkingStrategy.optional(),
  metadata: opt(metadataSchema),
});

const codeInterpreterResources = z.object({ file_ids: z.array(z.string()).max(20).default([]) });
const vectorStoreIds = z.array(z.string()).max(1).optional();

/** tool_resources of the create calls (assistants, threads): `vector_stores` creates a vector store inline. */
export const createToolResourcesSchema = z.object({
  code_interpreter: codeInterpreterResources.optional(),
  file_search: z
    .object({ vector_store_ids: vectorStoreIds, vector_stores: z.array(vectorStoreHelper).max(1).optional() })
    .optional(),
});

/** tool_resources of the modify calls: ids only. */
export const updateToolResourcesSchema = z.object({
  code_interpreter: codeInterpreterResources.optional(),
  file_search: z.object({ vector_store_ids: vectorStoreIds }).optional(),
});

/** Validates a JSON body (undefined counts as `{}`); returns the parsed value or throws OpenAI's 400. */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const body = input ?? {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalidRequest('Invalid type for body: expected an object.', null, 'invalid_type');
  const result = schema.safeParse(body);
  if (!result.success) throw issueToApiError(result.error.issues, body);
  return result.data;
}

// ---------------------------------------------------------------------------------------------------------------
// zod issue → OpenAI error.

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

function issueToApiError(issues: readonly Issue[], body: unknown): ApiError {
  const [issue, path] = settle(issues[0]!, body);
  const param = formatPath(path);
  const value = valueAt(body, path);
  const typeError = (expected: string) =>
    value === undefined
      ? invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter')
      : invalidRequest(
          `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`,
          param,
          'invalid_type',
        );
  const invalid = (detail: string, code: string) => invalidRequest(`Invalid '${param}': ${detail}`, param, code);
  switch (issue.code) {
    case 'invalid_type':
      return typeError(issue.message === INTEGER ? 'an integer' : (EXPECTED[issue.expected] ?? `a ${issue.expected}`));
    case 'invalid_union':
      if (issue.discriminator === undefined) return typeError(issue.message);
      if (typeof value !== 'string') return typeError('a string');
      return invalidValue(value, ('options' in issue && issue.options) || [], param);
    case 'invalid_value':
      if (typeof value !== 'string') return typeError(`'${issue.values.map(String).join("' or '")}'`);
      return invalidValue(value, issue.values, param);
    case 'too_small':
    case 'too_big':
      return rangeError(issue, value, invalid);
    case 'invalid_format':
      return invalid(
        `string does not match pattern. Expected a string that matches the pattern '${NAME_PATTERN.source}'.`,
        'invalid_value',
      );
    case 'custom': {
      const p = (issue.params ?? {}) as { code?: string; expected?: string; detail?: string };
      if (p.code === 'invalid_type') return typeError(p.expected ?? 'a valid value');
      return invalid(p.detail ?? `${issue.message}.`, p.code ?? 'invalid_value');
    }
    default:
      return invalid(`${issue.message}.`, 'invalid_value');
  }
}

/** Descends into the union branch that matched the input's type, so its own (deeper) problem is reported. */
function settle(issue: Issue, body: unknown): [Issue, Path] {
  let current = issue;
  let path: Path = issue.path;
  while (current.code === 'invalid_union' && current.errors.length > 0) {
    const value = valueAt(body, path);
    const branch = current.errors.find((errs) => errs[0] !== undefined && !isTypeMiss(errs[0], value));
    if (!branch) break;
    current = branch[0]!;
    path = [...path, ...current.path];
  }
  return [current, path];
}

const isTypeMiss = (issue: Issue, value: unknown) =>
  issue.path.length === 0 &&
  (issue.code === 'invalid_type' || (issue.code === 'invalid_value' && typeof value !== 'string'));

function rangeError(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  value: unknown,
  invalid: (detail: string, code: string) => ApiError,
): ApiError {
  const small = issue.code === 'too_small';
  const bound = String(small ? issue.minimum : issue.maximum);
  const [limit, dir] = small ? ['minimum', 'below_min'] : ['maximum', 'above_max'];
  if (issue.origin === 'array' || issue.origin === 'string') {
    const noun = issue.origin;
    const a = noun === 'array' ? 'an array' : 'a string';
    const len = typeof value === 'string' || Array.isArray(value) ? value.length : 0;
    if (small && len === 0)
      return invalid(
        `empty ${noun}. Expected ${a} with minimum length ${bound}, but got an empty ${noun} instead.`,
        `empty_${noun}`,
      );
    return invalid(
      `${noun} too ${small ? 'short' : 'long'}. Expected ${a} with ${limit} length ${bound}, ` +
        `but got ${a} with length ${len} instead.`,
      `${noun}_${dir}_length`,
    );
  }
  const kind = issue.message === INTEGER ? INTEGER : 'decimal';
  return invalid(
    `${kind} ${small ? 'below minimum' : 'above maximum'} value. ` +
      `Expected a value ${small ? '>=' : '<='} ${bound}, but got ${String(value)} instead.`,
    `${kind}_${dir}_value`,
  );
}

function invalidValue(value: string, supported: readonly unknown[], param: string): ApiError {
  const quoted = supported.map((v) => `'${String(v)}'`);
  const list = quoted.length <= 2 ? quoted.join(' and ') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
  return invalidRequest(`Invalid value: '${value}'. Supported values are: ${list}.`, param, 'invalid_value');
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a decimal',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value === 'boolean' ? 'a boolean' : `a ${typeof value}`;
}

/** `['tools', 0, 'function', 'name']` → `tools[0].function.name` */
function formatPath(path: Path): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
