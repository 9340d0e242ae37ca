import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { collectStream } from '../chat-model.js';
import type { ChatCallOptions, ChatModel, FinishReason, StreamPart, TokenLogprob, Usage } from '../chat-model.js';
import { ToolCallAccumulator } from '../tool-call-accumulator.js';
import type { OpenAICompatibleClient } from './client.js';
import { convertMessages } from './convert-messages.js';
import { ProviderError } from '../provider-error.js';
import { ssePartStream, type PartDecoder } from '../sse-part-stream.js';
import { mapFinishReason } from './map-finish-reason.js';

// Loose on purpose: servers add fields, send nulls, and omit what they do not support.
const num = z.number().nullish();
const usageSchema = z
  .object({
    prompt_tokens: num,
    completion_tokens: num,
    total_tokens: num,
    prompt_tokens_details: z.object({ cached_tokens: num }).loose().nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: num }).loose().nullish(),
  })
  .loose();
const toolCallDeltaSchema = z
  .object({
    index: num,
    id: z.string().nullish(),
    type: z.string().nullish(),
    function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).loose().nullish(),
  })
  .loose();
const topLogprobSchema = z.object({ token: z.string(), logprob: z.number(), bytes: z.array(z.number()).nullish() }).loose();
const logprobsSchema = z
  .object({ content: z.array(topLogprobSchema.extend({ top_logprobs: z.array(topLogprobSchema).nullish() })).nullish() })
  .loose();
const chunkSchema = z
  .object({
    choices: z
      .array(
        z
          .object({
            delta: z
              .object({
                content: z.string().nullish(),
                // vLLM, DeepSeek, llama.cpp name it reasoning_content; Ollama and OpenRouter name it reasoning.
                reasoning_content: z.string().nullish(),
                reasoning: z.string().nullish(),
                tool_calls: z.array(toolCallDeltaSchema).nullish(),
              })
              .loose()
              .nullish(),
            finish_reason: z.string().nullish(),
            logprobs: logprobsSchema.nullish(),
          })
          .loose(),
      )
      .nullish(),
    usage: usageSchema.nullish(),
    error: z.unknown().optional(),
  })
  .loose();

function mapUsage(u: z.infer<typeof usageSchema>): Usage {
  const promptTokens = u.prompt_tokens ?? 0;
  const completionTokens = u.completion_tokens ?? 0;
  return {
    promptTokens,
    completionTokens,
    totalTokens: u.total_tokens ?? promptTokens + completionTokens,
    cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** A choice's `logprobs.content` as the tokens of its delta. */
function mapLogprobs(l: z.infer<typeof logprobsSchema> | null | undefined): TokenLogprob[] | undefined {
  if (!l?.content?.length) return undefined;
  const one = (t: z.infer<typeof topLogprobSchema>) => ({ token: t.token, logprob: t.logprob, bytes: t.bytes ?? null });
  return l.content.map((t) => ({ ...one(t), top: (t.top_logprobs ?? []).map(one) }));
}

/** The `message` of an OpenAI error body (`{"error":{"message":…}}` or `{"error":"…"}`), if any. */
function errorMessage(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** ChatCallOptions → the request body. `max_tokens`, not `max_completion_tokens`: vLLM, Ollama and llama.cpp only know the former. */
function requestBody(modelId: string, opts: ChatCallOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: modelId,
    messages: convertMessages(opts.messages),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (opts.temperature != null) body.temperature = opts.temperature;
  if (opts.topP != null) body.top_p = opts.topP;
  if (opts.maxTokens != null) body.max_tokens = opts.maxTokens;
  if (opts.tools && opts.tools.length > 0) {
    body.tools = opts.tools;
    if (opts.toolChoice !== undefined) body.tool_choice = opts.toolChoice;
    if (opts.parallelToolCalls !== undefined) body.parallel_tool_calls = opts.parallelToolCalls;
  }
  if (opts.responseFormat != null) body.response_format = opts.responseFormat;
  if (opts.reasoningEffort != null) body.reasoning_effort = opts.reasoningEffort;
  if (opts.logprobs) {
    body.logprobs = true;
    if (opts.topLogprobs != null) body.top_logprobs = opts.topLogprobs;
  }
  return body;
}

async function responseError(provider: string, res: Dispatcher.ResponseData): Promise<ProviderError> {
  const text = await res.body.text().catch(() => '');
  let message: string | undefined;
  try {
    message = errorMessage((JSON.parse(text) as { error?: unknown }).error);
  } catch {
    message = text.slice(0, 500) || undefined;
  }
  return new ProviderError({
    provider,
    kind: 'response',
    statusCode: res.statusCode,
    responseBody: text,
    message: `The upstream '${provider}' answered ${res.statusCode}${message ? `: ${message}` : '.'}`,
  });
}

/**
 * Turns the upstream's SSE events into StreamParts: `[DONE]` ends the answer (after the tool-call
 * and finish parts), as does an error chunk or fail().
 */
function createChunkDecoder(provider: string): PartDecoder {
  const tools = new ToolCallAccumulator();
  let finishReason: string | null = null;
  let usage: Usage | null = null;
  const state = { parts: [] as StreamPart[], ended: false, complete: false };

  const fail = (error: Error): void => {
    if (state.ended) return;
    state.parts.push({ type: 'error', error });
    state.ended = true;
  };
  const streamError = (message: string, extra: { responseBody?: string; cause?: unknown } = {}) =>
    new ProviderError({ provider, kind: 'stream', message: `The upstream '${provider}' ${message}`, ...extra });

  function onData(data: string): void {
    let parsed: z.infer<typeof chunkSchema>;
    try {
      parsed = chunkSchema.parse(JSON.parse(data));
    } catch (cause) {
      return fail(streamError('sent a chunk that is not a chat.completion.chunk.', { responseBody: data, cause }));
    }
    if (parsed.error != null) {
      const message = errorMessage(parsed.error) ?? 'unknown error';
      return fail(streamError(`reported an error mid-stream: ${message}`, { responseBody: data }));
    }
    if (parsed.usage) usage = mapUsage(parsed.usage);
    const choice = parsed.choices?.[0];
    if (!choice) return;
    const reasoning = choice.delta?.reasoning_content || choice.delta?.reasoning;
    if (reasoning) state.parts.push({ type: 'reasoning-delta', delta: reasoning });
    const content = choice.delta?.content;
    const logprobs = mapLogprobs(choice.logprobs);
    if (content) state.parts.push({ type: 'text-delta', delta: content, ...(logprobs && { logprobs }) });
    for (const delta of choice.delta?.tool_calls ?? []) state.parts.push(...tools.processDelta(delta));
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }

  function onDone(): void {
    state.complete = true;
    state.ended = true;
    state.parts.push(...tools.flush());
    let reason: FinishReason = mapFinishReason(finishReason);
    // Some servers (Ollama among them) finish a tool-calling turn with 'stop'.
    if (reason === 'stop' && tools.hasCalls) reason = 'tool_calls';
    state.parts.push({ type: 'finish', finishReason: reason, usage });
  }

  return {
    state,
    fail,
    event(data) {
      if (state.ended) return;
      if (data === '[DONE]') onDone();
      else if (data.trim() !== '') onData(data);
    },
  };
}

/** A ChatModel over an OpenAI-compatible `/chat/completions` endpoint, always streaming. */
export function createOpenAICompatibleChatModel(opts: { client: OpenAICompatibleClient; modelId: string }): ChatModel {
  const { client, modelId } = opts;

  async function stream(call: ChatCallOptions): Promise<{ stream: ReadableStream<StreamPart> }> {
    const res = await client.request({
      path: '/chat/completions',
      body: JSON.stringify(requestBody(modelId, call)),
      signal: call.abortSignal,
      requestId: call.requestId,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) throw await responseError(client.name, res);
    return {
      stream: ssePartStream({
        provider: client.name,
        idleTimeoutMs: client.idleTimeoutMs,
        body: res.body,
        decoder: createChunkDecoder(client.name),
        endMarker: 'it was complete (no [DONE])',
        signal: call.abortSignal,
        onUsage: call.onUsage,
      }),
    };
  }

  return {
    provider: client.name,
    modelId,
    stream,
    generate: async (call) => collectStream((await stream(call)).stream),
  };
}
