import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessage } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type { FinishReason, StreamPart, Usage } from '../providers/chat-model.js';

/**
 * StreamParts → chat.completion.chunk objects, in OpenAI's shapes: a first chunk with the role,
 * content and tool-call deltas (a call's id, type and name in its first delta, then argument
 * pieces), a chunk with the finish_reason, and with `stream_options.include_usage` a `usage: null`
 * on every chunk and a last chunk with `choices: []` and the usage. Pure: no I/O.
 */

export function toWireFinishReason(reason: FinishReason): ChatCompletion.Choice['finish_reason'] {
  return reason === 'length' || reason === 'tool_calls' || reason === 'content_filter' ? reason : 'stop';
}

export function toCompletionUsage(u: Usage): CompletionUsage {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.totalTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export class ChatChunkEncoder {
  readonly #base: { id: string; created: number; model: string };
  readonly #includeUsage: boolean;
  /** Choices whose role chunk was sent. */
  readonly #opened = new Set<number>();

  constructor(opts: { id: string; created: number; model: string; includeUsage: boolean }) {
    this.#base = { id: opts.id, created: opts.created, model: opts.model };
    this.#includeUsage = opts.includeUsage;
  }

  #chunk(choices: ChatCompletionChunk['choices'], usage?: CompletionUsage): ChatCompletionChunk {
    return {
      ...this.#base,
      object: 'chat.completion.chunk',
      choices,
      ...(usage ? { usage } : this.#includeUsage ? { usage: null } : {}),
    };
  }

  #delta(index: number, delta: ChatCompletionChunk.Choice['delta'], finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk {
    return this.#chunk([{ index, delta, logprobs: null, finish_reason: finish }]);
  }

  /** The first chunk of a choice, sent before its first part is known (then `chunks()` adds no other). */
  start(index: number): ChatCompletionChunk {
    this.#opened.add(index);
    return this.#delta(index, { role: 'assistant', content: '', refusal: null });
  }

  /**
   * The chunks a part becomes, opening the choice on its first part as OpenAI does: an answer that
   * starts with a tool call carries the role in the call's first delta with `content: null` (an
   * empty `content: ''` would give clients such as the AI SDK an empty text part); text and the
   * finish come after the role chunk of `start()`.
   */
  chunks(index: number, part: StreamPart): ChatCompletionChunk[] {
    const chunk = this.part(index, part);
    if (!chunk) return [];
    if (this.#opened.has(index)) return [chunk];
    if (part.type !== 'tool-call-start') return [this.start(index), chunk];
    this.#opened.add(index);
    return [this.#delta(index, { role: 'assistant', content: null, refusal: null, ...chunk.choices[0]?.delta })];
  }

  /** The chunk a part becomes, if any (complete tool calls were already streamed; errors are the caller's). */
  part(index: number, part: StreamPart): ChatCompletionChunk | null {
    switch (part.type) {
      case 'text-delta':
        return part.delta ? this.#delta(index, { content: part.delta }) : null;
      case 'tool-call-start':
        return this.#delta(index, {
          tool_calls: [{ index: part.index, id: part.id, type: 'function', function: { name: part.name, arguments: '' } }],
        });
      case 'tool-call-delta':
        return this.#delta(index, { tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] });
      case 'finish':
        return this.#delta(index, {}, toWireFinishReason(part.finishReason));
      default:
        return null;
    }
  }

  /**
   * A choice's annotations, all in one delta after its text, as OpenAI's search models send their
   * url_citations (the spec's delta does not list the field; the SDK's stream helper copies it).
   */
  annotations(index: number, annotations: ChatCompletionMessage.Annotation[]): ChatCompletionChunk {
    const delta: ChatCompletionChunk.Choice['delta'] & { annotations: ChatCompletionMessage.Annotation[] } = { annotations };
    return this.#delta(index, delta);
  }

  /** The last chunk with `stream_options.include_usage`. */
  usage(usage: Usage): ChatCompletionChunk {
    return this.#chunk([], toCompletionUsage(usage));
  }
}
