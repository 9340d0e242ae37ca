/**
 * Validation of `POST /v1/responses` bodies, limited to what OpenAI rejects (spec: `CreateResponse`; wording, params
 * and report order as OpenAI answers). Every object is loose: unknown fields pass (real clients send more). Every
 * optional field also takes `null`, which OpenAI reads as "left out". The shape's key order is OpenAI's report order,
 * so with two problems the one OpenAI names is named. The body is returned as it came, typed by the SDK's params.
 */
import { z } from 'zod';
import { invalidRequest, type ApiError } from '../../errors.js';
import type { RequestInput } from '../../streaming/response-input-items.js';
import type { ResponseRequest } from '../../streaming/response-object.js';
import { metadataSchema } from './common.schema.js';
import { checkInputItems, type PreRendered } from './response-input.schema.js';
import { anyObject, decimalRange, intRange, name64, opt, toolChoiceSchema, toolsSchema } from './response-tools.schema.js';
import { zodIssuesToApiError, zodPath } from './zod-to-api-error.js';

/**
 * A validated body: the SDK's create params (ResponseRequest: null allowed, function tools without `strict` or
 * `parameters`), with model and input required as OpenAI requires them, and unknown fields kept.
 */
export type CreateResponseRequest = ResponseRequest & {
  model: string;
  input: RequestInput;
  [key: string]: unknown;
};

export const INCLUDABLE = [
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
] as const;

const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
const REASONING_SUMMARIES = ['concise', 'detailed', 'auto'] as const;

const input = z
  .union([z.string(), z.array(z.unknown())], { error: 'one of a string or array of input items' })
  .check((ctx) => {
    if (Array.isArray(ctx.value)) checkInputItems(ctx, ctx.value);
  });

const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: name64,
    schema: anyObject,
    description: opt(z.string()),
    strict: opt(z.boolean()),
  }),
]);

const text = z.looseObject({ format: opt(textFormat), verbosity: opt(z.enum(['low', 'medium', 'high'])) });

const reasoning = z.looseObject({
  effort: opt(z.enum(REASONING_EFFORTS)),
  summary: opt(z.enum(REASONING_SUMMARIES)),
  generate_summary: opt(z.enum(REASONING_SUMMARIES)),
});

/**
 * `schema`, named in a type error as OpenAI names it ("expected an array of tools"): a union (with a branch that
 * never matches, as zod runs a one-branch union as its branch) whose message the shared mapper uses when the
 * value's type misses, and which it descends into when the value has the right type.
 */
const named = <T extends z.ZodType>(schema: T, expected: string) => z.union([schema, z.never()], { error: expected });
/** A string enum whose type error lists its values: "expected one of 'auto' or 'disabled'". */
function oneOf(values: readonly [string, ...string[]]) {
  const quoted = values.map((v) => `'${v}'`);
  const list = quoted.length <= 2 ? quoted.join(' or ') : `${quoted.slice(0, -1).join(', ')}, or ${quoted.at(-1)}`;
  return named(z.enum(values), `one of ${list}`);
}

const conversation = z.union([z.string(), z.looseObject({ id: z.string() })], { error: 'one of a string or object' });

/** The request, keys in OpenAI's report order (which problem of two it names). */
const createResponseSchema = z.looseObject({
  model: z.string(),
  input,
  previous_response_id: opt(z.string()),
  prompt: opt(anyObject),
  include: opt(z.array(z.enum(INCLUDABLE))),
  tools: opt(named(toolsSchema, 'an array of tools')),
  tool_choice: opt(toolChoiceSchema),
  metadata: opt(named(metadataSchema, 'a metadata object')),
  text: opt(text),
  temperature: opt(decimalRange(0, 2)),
  top_p: opt(decimalRange(0, 1)),
  presence_penalty: opt(decimalRange(-2, 2)),
  frequency_penalty: opt(decimalRange(-2, 2)),
  parallel_tool_calls: opt(z.boolean()),
  stream: opt(z.boolean()),
  stream_options: opt(z.looseObject({ include_obfuscation: opt(z.boolean()) })),
  background: opt(z.boolean()),
  max_output_tokens: opt(intRange(16)),
  max_tool_calls: opt(intRange(1)),
  reasoning: opt(reasoning),
  user: opt(z.string()),
  safety_identifier: opt(z.string().max(64)),
  prompt_cache_key: opt(z.string()),
  prompt_cache_retention: opt(oneOf(['in_memory', '24h'])),
  truncation: opt(oneOf(['auto', 'disabled'])),
  instructions: opt(z.string()),
  store: opt(z.boolean()),
  service_tier: opt(oneOf(['auto', 'default', 'flex', 'scale', 'priority'])),
  top_logprobs: opt(intRange(0, 20)),
  conversation: opt(conversation),
});

/** Validates a parsed JSON body; returns the same object (unknown fields kept) or throws OpenAI's 400. */
export function validateCreateResponse(body: unknown): CreateResponseRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('Invalid type for body: expected an object.', null, 'invalid_type');
  }
  const result = createResponseSchema.safeParse(body);
  if (!result.success) throw toApiError(result.error.issues, body);
  const request = body as CreateResponseRequest;
  checkStateParams(request);
  return request;
}

function toApiError(issues: readonly z.core.$ZodIssue[], body: unknown): ApiError {
  const first = issues[0]!;
  const params = first.code === 'custom' ? (first.params as Partial<PreRendered> | undefined) : undefined;
  if (!params?.preRendered) return zodIssuesToApiError(issues, body);
  return invalidRequest(params.preRendered.message, zodPath(first.path), params.preRendered.code);
}

/** What OpenAI checks once the fields are well-formed: something to answer, and at most one history. */
function checkStateParams(request: CreateResponseRequest): void {
  if (request.previous_response_id != null && request.conversation != null) {
    throw invalidRequest(
      "Mutually exclusive parameters. Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
      null,
      'mutually_exclusive_parameters',
    );
  }
  const empty = request.input === '' || (Array.isArray(request.input) && request.input.length === 0);
  if (empty && request.previous_response_id == null && request.conversation == null && request.prompt == null) {
    throw invalidRequest(
      `One of "input" or "previous_response_id" or 'prompt' or 'conversation' must be provided.`,
      null,
      'missing_required_parameter',
    );
  }
}
