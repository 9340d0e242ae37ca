/**
 * Validation of `POST /v1/embeddings` bodies: what OpenAI rejects for every model (CreateEmbeddingRequest in
 * openai-openapi.yaml), at most 2,048 inputs included. Limits of a particular model (an in-process model's: strings
 * only, none empty, at most 8,192 tokens each and 300,000 in all, at most 512 dimensions) are the service's.
 * Unknown fields pass, as they go upstream unchanged.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { MAX_INPUTS } from '../../embeddings/tokens.js';
import type { EmbeddingsRequest } from '../../services/embeddings.service.js';
import { INTEGER, zodIssuesToApiError } from './zod-to-api-error.js';

const INPUT_TYPES = 'one of a string, array of strings, array of integers, or array of arrays of integers';
const integer = () => z.int({ error: INTEGER });
const isTokens = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every(Number.isInteger);

/** What is wrong with `input`, as issue params zod-to-api-error words (one message for an array of mixed kinds). */
function inputProblem(v: unknown): Record<string, string> | undefined {
  if (typeof v === 'string') return undefined;
  if (!Array.isArray(v)) return { code: 'invalid_type', expected: INPUT_TYPES };
  if (v.length === 0)
    return { code: 'empty_array', detail: 'empty array. Expected an array with minimum length 1, but got an empty array instead.' };
  if (v.length > MAX_INPUTS)
    return {
      code: 'array_above_max_length',
      detail: `array too long. Expected an array with maximum length ${MAX_INPUTS}, but got an array with length ${v.length} instead.`,
    };
  if (v.every((s) => typeof s === 'string') || isTokens(v) || v.every(isTokens)) return undefined;
  return {
    code: 'invalid_type',
    typeDetail: `expected ${INPUT_TYPES}, but got an array that is none of these (or holds an empty array).`,
  };
}

const embeddingsRequestSchema = z.looseObject({
  model: z.string(),
  input: z.unknown().check((ctx) => {
    const params = inputProblem(ctx.value);
    if (params) ctx.issues.push({ code: 'custom', input: ctx.value, path: [], message: 'invalid input', params });
  }),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: integer().min(1, INTEGER).nullish(),
  user: z.string().nullish(),
});

/** Validates a parsed JSON body; returns the same object (unknown fields kept) or throws a 400 ApiError. */
export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidRequest('Invalid type for body: expected an object.', null, 'invalid_type');
  const result = embeddingsRequestSchema.safeParse(body);
  if (!result.success) throw zodIssuesToApiError(result.error.issues, body);
  return body as EmbeddingsRequest;
}
