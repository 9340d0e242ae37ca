/** Request bodies of /vector_stores… (CreateVectorStoreRequest, CreateVectorStoreFileBatchRequest, …). */
import { z } from 'zod';
import type { AttributeFilter } from '../../retrieval/attribute-filter.js';
import { MAX_INPUTS } from '../../embeddings/tokens.js';
import { invalidRequest } from '../../errors.js';
import { metadataSchema, opt, smallMapSchema, stringTooLong } from './common.schema.js';
import { hybridSearchSchema } from './ranking-options.schema.js';

const INTEGER = 'integer';
const intRange = (min: number, max: number) => z.int({ error: INTEGER }).min(min, INTEGER).max(max, INTEGER);

/** auto, or static with 100 ≤ max ≤ 4096 and 0 ≤ overlap ≤ max / 2. */
export const chunkingStrategySchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('auto') }),
    z.object({
      type: z.literal('static'),
      static: z.object({
        max_chunk_size_tokens: intRange(100, 4096),
        chunk_overlap_tokens: z.int({ error: INTEGER }).min(0, INTEGER),
      }),
    }),
  ])
  .check((ctx) => {
    if (ctx.value.type !== 'static') return;
    const { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap } = ctx.value.static;
    if (overlap > max / 2)
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['static', 'chunk_overlap_tokens'],
        message: 'invalid overlap',
        params: {
          code: 'invalid_value',
          detail: `chunk_overlap_tokens (${overlap}) must not exceed half of max_chunk_size_tokens (${max}).`,
        },
      });
  });
export type ChunkingStrategyParam = z.output<typeof chunkingStrategySchema>;

/** Attributes of a vector store file: ≤ 16 keys of ≤ 64 chars; values strings ≤ 512 chars, numbers or booleans. */
export const attributesSchema = smallMapSchema<string | number | boolean>({
  what: 'attributes',
  tooMany: (n) => `too many properties. Expected an object with at most 16 properties, but got ${n} instead.`,
  value: (v) => {
    if (typeof v === 'string') return v.length > 512 ? stringTooLong(v.length) : undefined;
    return typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
      ? undefined
      : { code: 'invalid_type', expected: 'a string, a number or a boolean' };
  },
});

const expiresAfterSchema = z.object({ anchor: z.literal('last_active_at'), days: intRange(1, 365) });

/** POST /vector_stores */
export const createVectorStoreSchema = z.object({
  file_ids: opt(z.array(z.string()).max(500)),
  name: opt(z.string()),
  description: opt(z.string()),
  expires_after: opt(expiresAfterSchema),
  chunking_strategy: opt(chunkingStrategySchema),
  metadata: opt(metadataSchema),
});
export type CreateVectorStoreParams = z.output<typeof createVectorStoreSchema>;

/** POST /vector_stores/{id}: `null` clears name, expiry and metadata. */
export const updateVectorStoreSchema = z.object({
  name: opt(z.string()),
  expires_after: opt(expiresAfterSchema),
  metadata: opt(metadataSchema),
});
export type UpdateVectorStoreParams = z.output<typeof updateVectorStoreSchema>;

const fileFields = { chunking_strategy: opt(chunkingStrategySchema), attributes: opt(attributesSchema) };

/** POST /vector_stores/{id}/files */
export const createVectorStoreFileSchema = z.object({ file_id: z.string(), ...fileFields });
export type CreateVectorStoreFileParams = z.output<typeof createVectorStoreFileSchema>;

/** POST /vector_stores/{id}/files/{file_id} */
export const updateVectorStoreFileSchema = z.object({ attributes: attributesSchema.nullable() });

/** POST /vector_stores/{id}/file_batches: `file_ids` (shared settings) or `files` (each its own), not both. */
export const createFileBatchSchema = z
  .object({
    file_ids: z.array(z.string()).min(1).max(2000).optional(),
    files: z.array(createVectorStoreFileSchema).min(1).max(2000).optional(),
    ...fileFields,
  })
  .transform((body): CreateVectorStoreFileParams[] => {
    if (body.file_ids && body.files)
      throw invalidRequest("'file_ids' and 'files' are mutually exclusive: pass one of them.", 'files', 'invalid_value');
    if (body.files) return body.files;
    if (!body.file_ids)
      throw invalidRequest("Missing required parameter: 'file_ids'.", 'file_ids', 'missing_required_parameter');
    const { chunking_strategy, attributes } = body;
    return body.file_ids.map((file_id) => ({ file_id, chunking_strategy, attributes }));
  });

const comparisonFilterSchema = z.object({
  type: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin']),
  key: z.string(),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]),
});
const compoundFilterSchema = z.object({
  type: z.enum(['and', 'or']),
  get filters(): z.ZodArray<z.ZodType<AttributeFilter>> {
    return z.array(filterSchema);
  },
});
const filterSchema: z.ZodType<AttributeFilter> = z.discriminatedUnion('type', [comparisonFilterSchema, compoundFilterSchema]);

/** POST /vector_stores/{id}/search */
export const searchVectorStoreSchema = z.object({
  // At most as many queries as one embeddings request takes (they are embedded together).
  query: z.union([z.string(), z.array(z.string()).min(1).max(MAX_INPUTS)], { error: 'a string or an array of strings' }),
  rewrite_query: opt(z.boolean()),
  max_num_results: opt(intRange(1, 50)),
  filters: opt(filterSchema),
  ranking_options: opt(
    z.object({
      ranker: opt(z.enum(['none', 'auto', 'default-2024-11-15', 'default_2024_08_21'])),
      score_threshold: opt(z.number().min(0).max(1)),
      // Not in the spec for this endpoint (only for the Responses file_search tool); accepted here too.
      hybrid_search: opt(hybridSearchSchema),
    }),
  ),
});
export type SearchVectorStoreParams = z.output<typeof searchVectorStoreSchema>;

export const FILE_STATUS_FILTERS = ['in_progress', 'completed', 'failed', 'cancelled'] as const;
