import { z } from 'zod';
import type { StreamPart, Usage } from '../chat-model.js';
import { ProviderError } from '../provider-error.js';
import { ToolCallAccumulator } from '../tool-call-accumulator.js';
import { streamEventError } from './errors.js';
import { mapStopReason } from './map-stop-reason.js';
import type { PartDecoder } from '../sse-part-stream.js';

// Loose on purpose: Anthropic adds fields and event types (thinking, citations) over time.
const num = z.number().nullish();
const usageSchema = z
  .object({ input_tokens: num, output_tokens: num, cache_read_input_tokens: num, cache_creation_input_tokens: num })
  .loose();
type AnthropicUsage = z.infer<typeof usageSchema>;

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: z.object({ usage: usageSchema.nullish() }).loose() }).loose(),
  z
    .object({
      type: z.literal('content_block_start'),
      index: z.number(),
      content_block: z
        .object({ type: z.string(), text: z.string().nullish(), thinking: z.string().nullish(), id: z.string().nullish(), name: z.string().nullish() })
        .loose(),
    })
    .loose(),
  z
    .object({
      type: z.literal('content_block_delta'),
      index: z.number(),
      delta: z.object({ type: z.string(), text: z.string().nullish(), thinking: z.string().nullish(), partial_json: z.string().nullish() }).loose(),
    })
    .loose(),
  z.object({ type: z.literal('content_block_stop') }).loose(),
  z
    .object({
      type: z.literal('message_delta'),
      delta: z.object({ stop_reason: z.string().nullish() }).loose().nullish(),
      usage: usageSchema.nullish(),
    })
    .loose(),
  z.object({ type: z.literal('message_stop') }).loose(),
  z.object({ type: z.literal('ping') }).loose(),
  z.object({ type: z.literal('error'), error: z.unknown() }).loose(),
]);

/** Anthropic counts cached input apart; OpenAI's prompt_tokens include it, and cached_tokens are the cache reads. */
export function mapUsage(u: AnthropicUsage): Usage {
  const cachedTokens = u.cache_read_input_tokens ?? 0;
  const promptTokens = (u.input_tokens ?? 0) + cachedTokens + (u.cache_creation_input_tokens ?? 0);
  const completionTokens = u.output_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, cachedTokens, reasoningTokens: 0 };
}

/**
 * Turns Messages API stream events (the parsed `data` of each SSE event) into StreamParts. Text and
 * tool_use blocks become text-delta and tool-call parts (tool calls numbered in the order they
 * start); thinking blocks become reasoning-delta parts (their signatures and redacted_thinking blocks are
 * skipped); `message_stop` ends with the complete calls and the finish part; an `error` event ends
 * with an error part. Unknown events and block types are skipped.
 */
export function createEventDecoder(provider: string): PartDecoder {
  const tools = new ToolCallAccumulator();
  const toolIndexOfBlock = new Map<number, number>();
  let usage: AnthropicUsage = {};
  let stopReason: string | null = null;
  const state = { parts: [] as StreamPart[], ended: false, complete: false };

  const fail = (error: Error): void => {
    if (state.ended) return;
    state.parts.push({ type: 'error', error });
    state.ended = true;
  };

  function onEvent(event: z.infer<typeof eventSchema>, data: string, raw: unknown): void {
    switch (event.type) {
      case 'message_start':
        usage = { ...usage, ...event.message.usage };
        return;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text' && block.text) state.parts.push({ type: 'text-delta', delta: block.text });
        if (block.type === 'thinking' && block.thinking) state.parts.push({ type: 'reasoning-delta', delta: block.thinking });
        if (block.type !== 'tool_use') return;
        const index = toolIndexOfBlock.size;
        toolIndexOfBlock.set(event.index, index);
        state.parts.push(...tools.processDelta({ index, id: block.id, function: { name: block.name ?? '' } }));
        return;
      }
      case 'content_block_delta': {
        const { delta } = event;
        if (delta.type === 'text_delta' && delta.text) state.parts.push({ type: 'text-delta', delta: delta.text });
        if (delta.type === 'thinking_delta' && delta.thinking) state.parts.push({ type: 'reasoning-delta', delta: delta.thinking });
        const index = toolIndexOfBlock.get(event.index);
        if (delta.type === 'input_json_delta' && delta.partial_json && index !== undefined)
          state.parts.push(...tools.processDelta({ index, function: { arguments: delta.partial_json } }));
        return;
      }
      case 'message_delta':
        if (event.delta?.stop_reason) stopReason = event.delta.stop_reason;
        if (event.usage) usage = { ...usage, ...Object.fromEntries(Object.entries(event.usage).filter(([, v]) => v != null)) };
        return;
      case 'message_stop':
        state.ended = true;
        state.complete = true;
        state.parts.push(...tools.flush(), { type: 'finish', finishReason: mapStopReason(stopReason), usage: mapUsage(usage) });
        return;
      case 'error':
        return fail(streamEventError(provider, data, raw));
      default:
    }
  }

  return {
    state,
    fail,
    /** One SSE event's data. */
    event(data: string): void {
      if (state.ended || data.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(data);
      } catch (cause) {
        return fail(new ProviderError({ provider, kind: 'stream', responseBody: data, cause, message: `The upstream '${provider}' sent an event that is not JSON.` }));
      }
      const parsed = eventSchema.safeParse(raw);
      if (parsed.success) onEvent(parsed.data, data, raw);
    },
  };
}
