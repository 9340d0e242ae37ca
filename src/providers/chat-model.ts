import type { ProviderError } from './provider-error.js';

/**
 * The model-agnostic streaming interface the run engine talks to (modelled on vai's LanguageModel).
 * A provider turns ChatCallOptions into its own request and its answer into StreamParts.
 */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export type ModelContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface ModelToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ModelMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ModelContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ModelToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ModelTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

export type ModelToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatCallOptions {
  messages: ModelMessage[];
  tools?: ModelTool[];
  toolChoice?: ModelToolChoice;
  parallelToolCalls?: boolean;
  temperature?: number | null;
  topP?: number | null;
  maxTokens?: number | null;
  /** Passed through as `response_format`. */
  responseFormat?: unknown;
  reasoningEffort?: string | null;
  /** Ask for each answer token's log probability (and the `topLogprobs` likeliest alternatives): text-delta parts carry them. */
  logprobs?: boolean;
  topLogprobs?: number | null;
  /** Sampling seed, stop sequences and penalties: the local provider honours them; runs do not send them. */
  seed?: number | null;
  stop?: string[] | null;
  presencePenalty?: number | null;
  frequencyPenalty?: number | null;
  abortSignal?: AbortSignal;
  requestId?: string;
  /**
   * Called once when the call ends, with the tokens it used, also when it was aborted or cancelled
   * midway (so a client that leaves is still metered). Providers that cannot count an aborted call
   * (upstreams) do not call it; their usage comes in the `finish` part.
   */
  onUsage?: (usage: Usage) => void;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

/** One answer token's log probability, as OpenAI's chat logprobs give it, with its likeliest alternatives. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top: Array<{ token: string; logprob: number; bytes: number[] | null }>;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

export type StreamPart =
  /** `logprobs`: the tokens of `delta`, when the call asked for them and the upstream gave them. */
  | { type: 'text-delta'; delta: string; logprobs?: TokenLogprob[] }
  /**
   * A piece of the model's reasoning, from upstreams that stream it apart from the answer (OpenAI-compatible
   * `reasoning_content` / `reasoning`, Anthropic `thinking`). It comes before the turn's text and tool calls.
   */
  | { type: 'reasoning-delta'; delta: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; id: string; argumentsDelta: string }
  /** A complete call, emitted at the end for each call, in index order. */
  | { type: 'tool-call'; index: number; id: string; name: string; arguments: string }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage | null }
  /** Always the last part: the stream closes right after it. */
  | { type: 'error'; error: ProviderError | Error };

export interface GeneratedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface GenerateResult {
  text: string;
  toolCalls: GeneratedToolCall[];
  finishReason: FinishReason;
  usage: Usage | null;
}

export interface ChatModel {
  /** The configured provider's name. */
  readonly provider: string;
  /** The model id as the provider knows it. */
  readonly modelId: string;
  /**
   * Resolves once the upstream answered with headers; rejects with ProviderError on connect, timeout
   * or a non-2xx answer. Later failures arrive as an `error` part, then the stream closes.
   * Cancelling the stream or aborting `abortSignal` tears the upstream call down.
   */
  stream(opts: ChatCallOptions): Promise<{ stream: ReadableStream<StreamPart> }>;
  /** `stream()`, collected. Rejects with the error of an `error` part. */
  generate(opts: ChatCallOptions): Promise<GenerateResult>;
}

/** Collects a part stream into one result; the one implementation of `generate` for every provider. */
export async function collectStream(stream: ReadableStream<StreamPart>): Promise<GenerateResult> {
  let text = '';
  const toolCalls: GeneratedToolCall[] = [];
  let finish: { finishReason: FinishReason; usage: Usage | null } | undefined;
  const reader = stream.getReader();
  let closed = false;
  try {
    for (;;) {
      const { done, value: part } = await reader.read();
      if (done) {
        closed = true;
        break;
      }
      if (part.type === 'text-delta') text += part.delta;
      else if (part.type === 'tool-call') toolCalls.push({ id: part.id, name: part.name, arguments: part.arguments });
      else if (part.type === 'finish') finish = part;
      else if (part.type === 'error') throw part.error;
    }
  } finally {
    if (!closed) void reader.cancel().catch(() => {});
  }
  if (!finish) throw new Error('The model stream closed without a finish part.');
  return { text, toolCalls, finishReason: finish.finishReason, usage: finish.usage };
}
