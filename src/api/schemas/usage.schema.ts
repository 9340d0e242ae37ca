import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { COSTS_LIMITS, USAGE_LIMITS } from '../../services/usage.service.js';

/**
 * Query strings of GET /organization/usage/completions and GET /organization/costs. Values arrive
 * as strings; an array parameter arrives as a string (one value) or an array (repeated key), under
 * `name` or `name[]` (the SDK's form), and normalizeQuery() folds these into one array.
 */

const intParam = (name: string) => {
  const error = `Invalid '${name}': expected an integer.`;
  return z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z.number({ error }).int({ error }),
  );
};

const boolParam = (name: string) =>
  z.preprocess(
    (v) => (v === 'true' ? true : v === 'false' ? false : v),
    z.boolean({ error: `Invalid '${name}': expected true or false.` }),
  );

const strings = z.array(z.string().min(1));

const windowShape = {
  start_time: intParam('start_time').pipe(z.number().min(0, { error: "Invalid 'start_time': must be >= 0." })),
  end_time: intParam('end_time').optional(),
  limit: intParam('limit').optional(),
  page: z.string().min(1).optional(),
  api_key_ids: strings.optional(),
  project_ids: strings.optional(),
};

/** `limit` within the bounds of the query's bucket_width. */
function checkLimit(q: { bucket_width: keyof typeof USAGE_LIMITS; limit?: number }, ctx: z.RefinementCtx): void {
  const max = USAGE_LIMITS[q.bucket_width].max;
  if (q.limit !== undefined && (q.limit < 1 || q.limit > max))
    ctx.addIssue({
      code: 'custom',
      path: ['limit'],
      message: `Invalid 'limit': must be between 1 and ${max} for bucket_width '${q.bucket_width}'.`,
    });
}

const bucketWidth = z.enum(['1m', '1h', '1d']).default('1d');

export const completionsUsageQuerySchema = z
  .object({
    ...windowShape,
    bucket_width: bucketWidth,
    group_by: z.array(z.enum(['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier'])).optional(),
    models: strings.optional(),
    user_ids: strings.optional(),
    batch: boolParam('batch').optional(),
  })
  .superRefine(checkLimit);

export const embeddingsUsageQuerySchema = z
  .object({
    ...windowShape,
    bucket_width: bucketWidth,
    group_by: z.array(z.enum(['project_id', 'user_id', 'api_key_id', 'model'])).optional(),
    models: strings.optional(),
    user_ids: strings.optional(),
  })
  .superRefine(checkLimit);

export const fileSearchCallsUsageQuerySchema = z
  .object({
    ...windowShape,
    bucket_width: bucketWidth,
    group_by: z.array(z.enum(['project_id', 'user_id', 'api_key_id', 'vector_store_id'])).optional(),
    vector_store_ids: strings.optional(),
    user_ids: strings.optional(),
  })
  .superRefine(checkLimit);

/** code_interpreter_sessions and vector_stores: filtered and grouped by project only. */
export const projectUsageQuerySchema = z
  .object({
    ...windowShape,
    bucket_width: bucketWidth,
    group_by: z.array(z.enum(['project_id'])).optional(),
  })
  .superRefine(checkLimit);

export const costsQuerySchema = z.object({
  ...windowShape,
  bucket_width: z.enum(['1d']).default('1d'),
  group_by: z.array(z.enum(['project_id', 'line_item', 'api_key_id'])).optional(),
  limit: intParam('limit')
    .pipe(
      z
        .number()
        .min(1, { error: `Invalid 'limit': must be between 1 and ${COSTS_LIMITS.max}.` })
        .max(COSTS_LIMITS.max, { error: `Invalid 'limit': must be between 1 and ${COSTS_LIMITS.max}.` }),
    )
    .optional(),
});

export type CompletionsUsageQuery = z.infer<typeof completionsUsageQuerySchema>;
export type CostsQuery = z.infer<typeof costsQuerySchema>;

const ARRAY_KEYS = ['api_key_ids', 'project_ids', 'user_ids', 'models', 'vector_store_ids', 'group_by'] as const;

function toList(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Folds `name` / `name[]`, single or repeated, into `name: string[]`; leaves other keys as they are. */
export function normalizeQuery(raw: unknown): Record<string, unknown> {
  const query: Record<string, unknown> = raw && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : {};
  for (const key of ARRAY_KEYS) {
    const values = [...toList(query[key]), ...toList(query[`${key}[]`])];
    delete query[`${key}[]`];
    if (values.length > 0) query[key] = values;
    else delete query[key];
  }
  return query;
}

function requireStartTime(query: Record<string, unknown>): void {
  if (query.start_time === undefined || query.start_time === '')
    throw invalidRequest("Missing required parameter: 'start_time'.", 'start_time', 'missing_required_parameter');
}

/** Throws ApiError (missing start_time) or ZodError. */
export function parseCompletionsUsageQuery(raw: unknown): CompletionsUsageQuery {
  const query = normalizeQuery(raw);
  requireStartTime(query);
  return completionsUsageQuerySchema.parse(query);
}

/** Parses the query of a usage endpoint with its schema. Throws ApiError (missing start_time) or ZodError. */
export function parseUsageQuery<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const query = normalizeQuery(raw);
  requireStartTime(query);
  return schema.parse(query);
}

/** Throws ApiError (missing start_time) or ZodError. */
export function parseCostsQuery(raw: unknown): CostsQuery {
  const query = normalizeQuery(raw);
  requireStartTime(query);
  return costsQuerySchema.parse(query);
}
