/**
 * Validation of `POST /v1/chat/completions` bodies, limited to what OpenAI itself rejects
 * (CreateChatCompletionRequest in openai-openapi.yaml). The gateway forwards the original body, so every object is
 * loose: unknown fields (LangChain's `name` on tool messages, `$schema` in tool parameters, vendor `top_k`, …) pass.
 * Optional fields also accept `null`, as OpenAI does for nearly all of them. The schema is built once at module load;
 * the first zod issue is turned into OpenAI's message / param / code.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { DECIMAL, INTEGER, NAME_PATTERN, zodIssuesToApiError } from './zod-to-api-error.js';

export interface ChatCompletionRequest {
  model: string;
  messages: unknown[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean; [k: string]: unknown } | null;
  [k: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks. On numbers and their range checks the zod message is only a tag ('integer' | 'decimal') that
// zodIssuesToApiError() reads back; on unions it is the "expected …" phrase used when no branch matches the input's type.


/** Any JSON integer (seed is int64, so not zod's safe-int `z.int()`). */
const integer = () => z.number({ error: INTEGER }).refine(Number.isInteger, { error: INTEGER, abort: true });
const intRange = (min: number, max?: number) => {
  const s = integer().min(min, INTEGER);
  return max === undefined ? s : s.max(max, INTEGER);
};
const decimalRange = (min: number, max: number) => z.number().min(min, DECIMAL).max(max, DECIMAL);
const anyObject = z.looseObject({});
const name64 = z.string().min(1).max(64).regex(NAME_PATTERN);
const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
const contentOf = <T extends z.ZodType>(part: T) =>
  z.union([z.string(), z.array(part).min(1)], { error: 'one of a string or array of objects' });

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const imagePart = z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: z.string() }) });
const audioPart = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});
const filePart = z.looseObject({ type: z.literal('file'), file: anyObject });

const textContent = contentOf(z.discriminatedUnion('type', [textPart]));
const userContent = contentOf(z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]));
const assistantContent = contentOf(z.discriminatedUnion('type', [textPart, refusalPart]));

// ---------------------------------------------------------------------------------------------------------------
// Messages (option order = the order of OpenAI's "Supported values are: …" for `role`).

const systemMessage = z.looseObject({ role: z.literal('system'), content: textContent });
const developerMessage = z.looseObject({ role: z.literal('developer'), content: textContent });
const userMessage = z.looseObject({ role: z.literal('user'), content: userContent });
const toolMessage = z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() });
const functionMessage = z.looseObject({
  role: z.literal('function'),
  name: z.string(),
  content: z.string().nullable(),
});
const assistantMessage = z
  .looseObject({
    role: z.literal('assistant'),
    content: opt(assistantContent),
    tool_calls: opt(z.array(z.unknown())),
  })
  .check((ctx) => {
    const m = ctx.value;
    // content is required unless the turn carries something else (spec: tool_calls or function_call)
    if (m.content != null || m.tool_calls != null || m.function_call != null) return;
    if (m.audio != null || m.refusal != null) return;
    // absent → "Missing required parameter", null → "Invalid type" (toApiError tells them apart)
    const params = { code: 'invalid_type', expected: 'one of a string or array of objects' };
    ctx.issues.push({ code: 'custom', input: m.content, path: ['content'], message: 'content required', params });
  });

const message = z.discriminatedUnion('role', [
  systemMessage,
  assistantMessage,
  userMessage,
  functionMessage,
  toolMessage,
  developerMessage,
]);

// ---------------------------------------------------------------------------------------------------------------
// Tools, tool_choice, response_format, metadata.

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: name64,
    description: opt(z.string()),
    parameters: opt(anyObject),
    strict: opt(z.boolean()),
  }),
});
const customTool = z.looseObject({
  type: z.literal('custom'),
  custom: z.looseObject({ name: z.string(), description: opt(z.string()), format: opt(anyObject) }),
});

const toolChoice = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.discriminatedUnion('type', [
      z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
      z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) }),
      z.looseObject({
        type: z.literal('allowed_tools'),
        allowed_tools: z.looseObject({ mode: z.enum(['auto', 'required']), tools: z.array(anyObject) }),
      }),
    ]),
  ],
  { error: 'one of a string or object' },
);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: name64,
      description: opt(z.string()),
      schema: opt(anyObject),
      strict: opt(z.boolean()),
    }),
  }),
]);

/** Metadata: at most 16 pairs, keys ≤ 64 chars, string values ≤ 512 chars. */
const metadata = anyObject.check((ctx) => {
  const keys = Object.keys(ctx.value);
  const fail = (path: string[], params: Record<string, string>): void => {
    ctx.issues.push({ code: 'custom', input: ctx.value, path, message: 'invalid metadata', params });
  };
  if (keys.length > 16) {
    return fail([], {
      code: 'object_above_max_properties',
      detail:
        'too many properties. Expected an object with at most 16 properties, ' +
        `but got an object with ${keys.length} properties instead.`,
    });
  }
  for (const key of keys) {
    const value = ctx.value[key];
    if (key.length > 64) {
      return fail([], {
        code: 'string_above_max_length',
        detail: `key too long. Expected keys with maximum length 64, but got a key with length ${key.length} instead.`,
      });
    }
    if (typeof value !== 'string') return fail([key], { code: 'invalid_type', expected: 'a string' });
    if (value.length > 512) {
      return fail([key], {
        code: 'string_above_max_length',
        detail:
          'string too long. Expected a string with maximum length 512, ' +
          `but got a string with length ${value.length} instead.`,
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// The request. Shape order decides which problem is reported first.

const chatCompletionRequestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(message).min(1),
  n: opt(intRange(1, 128)),
  temperature: opt(decimalRange(0, 2)),
  top_p: opt(decimalRange(0, 1)),
  presence_penalty: opt(decimalRange(-2, 2)),
  frequency_penalty: opt(decimalRange(-2, 2)),
  max_tokens: opt(intRange(1)),
  max_completion_tokens: opt(intRange(1)),
  logprobs: opt(z.boolean()),
  top_logprobs: opt(intRange(0, 20)),
  stream: opt(z.boolean()),
  stream_options: opt(
    z.looseObject({ include_usage: z.boolean().optional(), include_obfuscation: opt(z.boolean()) }),
  ),
  stop: opt(z.union([z.string(), z.array(z.string()).max(4)], { error: 'one of a string or array of strings' })),
  tools: opt(z.array(z.discriminatedUnion('type', [functionTool, customTool]))),
  tool_choice: opt(toolChoice),
  parallel_tool_calls: opt(z.boolean()),
  response_format: opt(responseFormat),
  seed: opt(integer()),
  user: opt(z.string()),
  metadata: opt(metadata),
});

/** `POST /v1/assistants/{id}/chat`: the same body, with the assistant standing in for `model`. */
const assistantChatRequestSchema = chatCompletionRequestSchema.extend({ model: opt(z.string()) });

export interface AssistantChatRequest extends Omit<ChatCompletionRequest, 'model'> {
  model?: string | null;
  messages: unknown[];
  stream?: boolean | null;
  stream_options?: ChatCompletionRequest['stream_options'];
}

function validate<T>(schema: z.ZodType, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('Invalid type for body: expected an object.', null, 'invalid_type');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw zodIssuesToApiError(result.error.issues, body);
  return body as T;
}

/** Validates a parsed JSON body; returns the same object (unknown fields kept) or throws a 400 ApiError. */
export const validateChatCompletionRequest = (body: unknown) => validate<ChatCompletionRequest>(chatCompletionRequestSchema, body);

/** The same for `POST /v1/assistants/{id}/chat`, where `model` may be left out. */
export const validateAssistantChatRequest = (body: unknown) => validate<AssistantChatRequest>(assistantChatRequestSchema, body ?? {});
