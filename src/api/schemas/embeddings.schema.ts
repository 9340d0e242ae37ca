/**
 * Validation of `POST /v1/embeddings` bodies: what OpenAI rejects for every model (CreateEmbeddingRequest in
 * openai-openapi.yaml), at most 2,048 inputs included. Limits of a particular model (an in-process model's: strings
 * only, none empty, at most 8,192 tokens each and 300,000 in all, at most 512 dimensions) are the service's.
 * Unknown fields pass, as they go upstream unchanged.
 */
import { z } from 'zod';
import { invalidRequest, type ApiError } from '../../errors.js';
import { MAX_INPUTS } from '../../embeddings/tokens.js';
import type { EmbeddingsRequest } from '../../services/embeddings.service.js';

const INPUT_TYPES = 'one of a string, array of strings, array of integers, or array of arrays of integers';
const integer = () => z.number().refine(Number.isInteger, { abort: true });

const embeddingsRequestSchema = z.looseObject({
  model: z.string(),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(MAX_INPUTS),
    z.array(integer()).min(1).max(MAX_INPUTS),
    z.array(z.array(integer()).min(1)).min(1).max(MAX_INPUTS),
  ]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: integer().min(1).nullish(),
  user: z.string().nullish(),
});

const EXPECTED: Record<string, string> = {
  model: 'a string',
  input: INPUT_TYPES,
  encoding_format: 'a string',
  dimensions: 'an integer',
  user: 'a string',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function toApiError(issue: z.core.$ZodIssue, body: Record<string, unknown>): ApiError {
  const param = String(issue.path[0] ?? 'body');
  const value = body[param];
  if (value === undefined) return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  if (issue.code === 'invalid_value')
    return invalidRequest(`Invalid value: '${String(value)}'. Supported values are: 'float' and 'base64'.`, param, 'invalid_value');
  if (Array.isArray(value) && value.length === 0)
    return invalidRequest(
      `Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`,
      param,
      'empty_array',
    );
  if (Array.isArray(value) && value.length > MAX_INPUTS)
    return invalidRequest(
      `Invalid '${param}': array too long. Expected an array with maximum length ${MAX_INPUTS}, but got an array with length ${value.length} instead.`,
      param,
      'array_above_max_length',
    );
  if (issue.code === 'too_small' && typeof value === 'number')
    return invalidRequest(
      `Invalid '${param}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
      param,
      'integer_below_min_value',
    );
  if (param === 'input' && Array.isArray(value))
    return invalidRequest(
      `Invalid type for 'input': expected ${INPUT_TYPES}, but got an array that is none of these (or holds an empty array).`,
      param,
      'invalid_type',
    );
  const expected = EXPECTED[param] ?? 'a valid value';
  return invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`, param, 'invalid_type');
}

/** Validates a parsed JSON body; returns the same object (unknown fields kept) or throws a 400 ApiError. */
export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidRequest('Invalid type for body: expected an object.', null, 'invalid_type');
  const result = embeddingsRequestSchema.safeParse(body);
  if (!result.success) throw toApiError(result.error.issues[0]!, body as Record<string, unknown>);
  return body as EmbeddingsRequest;
}
