/**
 * Builders for OpenAI-shaped chat objects used by the fake upstream and by tests.
 *
 * Shapes follow what api.openai.com actually sends (key order included), so the
 * gateway can be tested against realistic payloads.
 */
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';

export type { ChatCompletion, ChatCompletionChunk, CompletionUsage };

export type FinishReason = ChatCompletion.Choice['finish_reason'];

export interface ToolCallSpec {
  id: string;
  name: string;
  arguments: string;
}

export const DEFAULT_CONTENT = 'Hello from the fake upstream.';
export const DEFAULT_MODEL = 'fake-model';

export const DEFAULT_USAGE: CompletionUsage = Object.freeze({
  prompt_tokens: 10,
  completion_tokens: 7,
  total_tokens: 17,
  prompt_tokens_details: Object.freeze({ cached_tokens: 0 }),
  completion_tokens_details: Object.freeze({ reasoning_tokens: 0 }),
}) as CompletionUsage;

let idCounter = 0;
/** Unique-per-process completion id: `chatcmpl-fake<n>`. */
export function nextCompletionId(): string {
  idCounter++;
  return 'chatcmpl-fake' + idCounter.toString(36);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Deep-ish copy of a usage object, filling defaults from DEFAULT_USAGE; total recomputed when absent. */
export function makeUsage(partial?: Partial<CompletionUsage>): CompletionUsage {
  const p = partial ?? {};
  const prompt = p.prompt_tokens ?? DEFAULT_USAGE.prompt_tokens;
  const completion = p.completion_tokens ?? DEFAULT_USAGE.completion_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: p.total_tokens ?? prompt + completion,
    prompt_tokens_details: { ...(p.prompt_tokens_details ?? DEFAULT_USAGE.prompt_tokens_details) },
    completion_tokens_details: { ...(p.completion_tokens_details ?? DEFAULT_USAGE.completion_tokens_details) },
  };
}

/**
 * Split text into about `n` pieces on word boundaries (leading whitespace stays
 * with the following word, as tokenizers do). Joining the pieces gives back `text`.
 */
export function splitContent(text: string, n = 4): string[] {
  if (text === '') return [];
  const words = text.match(/\s*\S+|\s+$/g) ?? [text];
  if (words.length <= n) return words;
  const pieces: string[] = [];
  const per = words.length / n;
  for (let i = 0; i < n; i++) {
    const from = Math.round(i * per);
    const to = Math.round((i + 1) * per);
    pieces.push(words.slice(from, to).join(''));
  }
  return pieces.filter((p) => p !== '');
}

/** Split a string into about `n` pieces by length (used for tool-call argument fragments). */
export function splitEvenly(text: string, n = 3): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export interface ChatCompletionOpts {
  /** Default: DEFAULT_CONTENT, or null when toolCalls are given. */
  content?: string | null;
  model?: string;
  id?: string;
  created?: number;
  toolCalls?: ToolCallSpec[];
  /** Default: 'tool_calls' when toolCalls are given, else 'stop'. */
  finishReason?: FinishReason | (string & {});
  /** undefined → DEFAULT_USAGE; null → no usage field; partial → merged with defaults. */
  usage?: Partial<CompletionUsage> | null;
}

export function chatCompletion(opts: ChatCompletionOpts = {}): ChatCompletion {
  const toolCalls = opts.toolCalls && opts.toolCalls.length > 0 ? opts.toolCalls : undefined;
  const content = opts.content !== undefined ? opts.content : toolCalls ? null : DEFAULT_CONTENT;
  const message: ChatCompletion.Choice['message'] = {
    role: 'assistant',
    content,
    refusal: null,
    annotations: [],
  };
  if (toolCalls) {
    message.tool_calls = toolCalls.map((tc) => ({
      id: tc.id,
      type: 'function' as const,
      function: { name: tc.name, arguments: tc.arguments },
    }));
  }
  const completion: ChatCompletion = {
    id: opts.id ?? nextCompletionId(),
    object: 'chat.completion',
    created: opts.created ?? nowSeconds(),
    model: opts.model ?? DEFAULT_MODEL,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: (opts.finishReason ?? (toolCalls ? 'tool_calls' : 'stop')) as FinishReason,
      },
    ],
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
  if (opts.usage !== null) completion.usage = makeUsage(opts.usage);
  return completion;
}

export interface ChatChunksOpts {
  /** A string is split into ~4 pieces; an array is used as the pieces. Default: DEFAULT_CONTENT, or none when toolCalls are given. */
  content?: string | string[];
  model?: string;
  id?: string;
  created?: number;
  toolCalls?: ToolCallSpec[];
  /** Default: 'tool_calls' when toolCalls are given, else 'stop'. */
  finishReason?: FinishReason | (string & {});
  /** Usage for the final usage chunk (default DEFAULT_USAGE). */
  usage?: Partial<CompletionUsage> | null;
  /**
   * Emulate `stream_options.include_usage: true`: every chunk carries `usage: null`
   * and a final `choices: []` chunk carries the usage. Default: true iff `usage` is an object.
   */
  includeUsage?: boolean;
  /** Reasoning pieces streamed before the content, as reasoning models behind vLLM, DeepSeek or Ollama send them. */
  reasoning?: string[];
  /** The delta field the reasoning comes in: `reasoning_content` (vLLM, DeepSeek, llama.cpp; default) or `reasoning` (Ollama, OpenRouter). */
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** Each content piece as one token with its logprob (-0.1 × its place, from 1) and `top` alternatives (the piece, then `alt1`…). */
  logprobs?: { top: number };
}

/** The logprobs OpenAI streams for a piece of content that is one token (see ChatChunksOpts.logprobs). */
export function pieceLogprobs(piece: string, index: number, top: number): ChatCompletionChunk.Choice.Logprobs {
  const bytes = (t: string) => [...Buffer.from(t, 'utf8')];
  const logprob = -0.1 * (index + 1);
  const alternatives = Array.from({ length: top }, (_, k) => {
    const token = k === 0 ? piece : `alt${k}`;
    return { token, logprob: k === 0 ? logprob : logprob - k, bytes: bytes(token) };
  });
  return { content: [{ token: piece, logprob, bytes: bytes(piece), top_logprobs: alternatives }], refusal: null };
}

/**
 * The chunk sequence OpenAI streams for one completion (without the `[DONE]` sentinel):
 * role chunk, content pieces, tool-call header + argument fragments, finish chunk,
 * and optionally the usage chunk.
 */
export function chatChunks(opts: ChatChunksOpts = {}): ChatCompletionChunk[] {
  const id = opts.id ?? nextCompletionId();
  const created = opts.created ?? nowSeconds();
  const model = opts.model ?? DEFAULT_MODEL;
  const toolCalls = opts.toolCalls && opts.toolCalls.length > 0 ? opts.toolCalls : undefined;
  const includeUsage = opts.includeUsage ?? (opts.usage !== undefined && opts.usage !== null);

  let pieces: string[];
  if (Array.isArray(opts.content)) pieces = opts.content;
  else if (opts.content !== undefined) pieces = splitContent(opts.content);
  else pieces = toolCalls ? [] : splitContent(DEFAULT_CONTENT);

  const chunks: ChatCompletionChunk[] = [];
  const push = (
    delta: ChatCompletionChunk.Choice.Delta,
    finish: FinishReason | null = null,
    logprobs: ChatCompletionChunk.Choice.Logprobs | null = null,
  ): void => {
    const chunk: ChatCompletionChunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs, finish_reason: finish }],
    };
    if (includeUsage) chunk.usage = null;
    chunks.push(chunk);
  };

  const hasContent = pieces.length > 0 || !toolCalls;
  push({ role: 'assistant', content: hasContent ? '' : null, refusal: null });
  for (const piece of opts.reasoning ?? []) {
    const delta: ChatCompletionChunk.Choice.Delta & Record<string, unknown> = { [opts.reasoningField ?? 'reasoning_content']: piece };
    push(delta);
  }
  pieces.forEach((piece, i) => push({ content: piece }, null, opts.logprobs ? pieceLogprobs(piece, i, opts.logprobs.top) : null));
  if (toolCalls) {
    toolCalls.forEach((tc, index) => {
      push({
        tool_calls: [{ index, id: tc.id, type: 'function', function: { name: tc.name, arguments: '' } }],
      });
      for (const frag of splitEvenly(tc.arguments)) {
        push({ tool_calls: [{ index, function: { arguments: frag } }] });
      }
    });
  }
  push({}, (opts.finishReason ?? (toolCalls ? 'tool_calls' : 'stop')) as FinishReason);

  if (includeUsage) {
    chunks.push({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
      choices: [],
      usage: makeUsage(opts.usage ?? undefined),
    });
  }
  return chunks;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
  param: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** The error body OpenAI typically sends for a given status. */
export function defaultErrorBody(status: number): OpenAIErrorBody {
  switch (status) {
    case 400:
      return errorBody('Bad request (fake upstream).', 'invalid_request_error');
    case 401:
      return errorBody('Incorrect API key provided (fake upstream).', 'invalid_request_error', 'invalid_api_key');
    case 403:
      return errorBody('You are not allowed to access this resource (fake upstream).', 'invalid_request_error');
    case 404:
      return errorBody('The model does not exist (fake upstream).', 'invalid_request_error', 'model_not_found');
    case 429:
      return errorBody('Rate limit reached (fake upstream).', 'requests', 'rate_limit_exceeded');
    default:
      return status >= 500
        ? errorBody(`The server had an error while processing your request (fake upstream ${status}).`, 'server_error')
        : errorBody(`Fake upstream error ${status}.`, 'invalid_request_error');
  }
}
