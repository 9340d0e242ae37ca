/**
 * Building blocks shared by the Assistants API request schemas (assistants, threads, messages), with OpenAI's
 * limits, and parseRequest(): the first zod issue becomes OpenAI's error message / param / code. Unknown fields
 * are stripped, not rejected (real clients send extras). Optional fields accept `null`, as OpenAI does.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { INTEGER, NAME_PATTERN, zodIssuesToApiError } from './zod-to-api-error.js';


export const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
const name64 = z.string().max(64).regex(NAME_PATTERN);
const jsonObject = z.record(z.string(), z.unknown());
const intRange = (min: number, max: number) => z.int({ error: INTEGER }).min(min, INTEGER).max(max, INTEGER);

type IssueParams = Record<string, string>;

export const stringTooLong = (length: number): IssueParams => ({
  code: 'string_above_max_length',
  detail: `string too long. Expected a string with maximum length 512, but got a string with length ${length} instead.`,
});

/**
 * A small key/value map as OpenAI bounds metadata and attributes: at most 16 keys of at most 64
 * characters, each value checked by `value` (issue params for a bad one). Issues carry the params
 * zod-to-api-error turns into OpenAI's codes and messages.
 */
export function smallMapSchema<V>(opts: { what: string; tooMany: (count: number) => string; value: (v: unknown) => IssueParams | undefined }) {
  return z
    .record(z.string(), z.unknown())
    .check((ctx) => {
      const keys = Object.keys(ctx.value);
      const fail = (path: string[], params: IssueParams): void => {
        ctx.issues.push({ code: 'custom', input: ctx.value, path, message: `invalid ${opts.what}`, params });
      };
      if (keys.length > 16) return fail([], { code: 'object_above_max_properties', detail: opts.tooMany(keys.length) });
      for (const key of keys) {
        if (key.length > 64)
          return fail([], {
            code: 'string_above_max_length',
            detail: `key too long. Expected keys with maximum length 64, but got a key with length ${key.length} instead.`,
          });
        const bad = opts.value(ctx.value[key]);
        if (bad) return fail([key], bad);
      }
    })
    .transform((value) => value as Record<string, V>);
}

/** Metadata: at most 16 pairs, keys ≤ 64 chars, string values ≤ 512 chars. */
export const metadataSchema = smallMapSchema<string>({
  what: 'metadata',
  tooMany: (n) => `too many properties. Expected an object with at most 16 properties, but got an object with ${n} properties instead.`,
  value: (v) => (typeof v !== 'string' ? { code: 'invalid_type', expected: 'a string' } : v.length > 512 ? stringTooLong(v.length) : undefined),
});

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
  if (!result.success) throw zodIssuesToApiError(result.error.issues, body);
  return result.data;
}
