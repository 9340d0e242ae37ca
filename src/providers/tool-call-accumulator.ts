import { newId } from '../ids.js';
import type { StreamPart } from './chat-model.js';

/**
 * One `choices[0].delta.tool_calls[i]` fragment of a chat.completion.chunk, typed loosely: OpenAI's
 * ChatCompletionChunk.Choice.Delta.ToolCall fits, and so do servers that send nulls or omit `index`.
 */
export interface ToolCallDelta {
  index?: number | null;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface PendingCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
  /** tool-call-start was emitted (it waits for the name). */
  started: boolean;
}

type ToolCallPart = Extract<StreamPart, { type: 'tool-call-start' | 'tool-call-delta' }>;
type CompleteToolCallPart = Extract<StreamPart, { type: 'tool-call' }>;

/**
 * Builds tool calls from streamed fragments (modelled on vai's StreamingToolCallTracker). The id and
 * name usually come only in a call's first fragment; arguments are split arbitrarily; parallel calls
 * interleave by `index`.
 */
export class ToolCallAccumulator {
  #calls = new Map<number, PendingCall>();
  #lastIndex = -1;
  #makeId: () => string;

  constructor(opts: { makeId?: () => string } = {}) {
    this.#makeId = opts.makeId ?? (() => newId('call'));
  }

  /** True once any fragment was seen. */
  get hasCalls(): boolean {
    return this.#calls.size > 0;
  }

  /** Folds one fragment in; returns the parts to emit now (tool-call-start, tool-call-delta). */
  processDelta(delta: ToolCallDelta): ToolCallPart[] {
    const index = this.#indexOf(delta);
    this.#lastIndex = index;
    let call = this.#calls.get(index);
    if (!call) {
      call = { index, id: delta.id || '', name: '', arguments: '', started: false };
      this.#calls.set(index, call);
    }
    if (!call.started) {
      if (!call.id && delta.id) call.id = delta.id;
      if (delta.function?.name) call.name += delta.function.name;
    }
    const fragment = delta.function?.arguments ?? '';
    call.arguments += fragment;

    const out: ToolCallPart[] = [];
    if (!call.started && call.name) {
      call.started = true;
      call.id ||= this.#makeId();
      out.push({ type: 'tool-call-start', index, id: call.id, name: call.name });
      // Fragments that came before the name are announced with the start.
      if (call.arguments) out.push({ type: 'tool-call-delta', index, id: call.id, argumentsDelta: call.arguments });
    } else if (call.started && fragment) {
      out.push({ type: 'tool-call-delta', index, id: call.id, argumentsDelta: fragment });
    }
    return out;
  }

  /** The complete calls, in index order. Empty arguments become '{}'. */
  flush(): CompleteToolCallPart[] {
    return [...this.#calls.values()]
      .sort((a, b) => a.index - b.index)
      .map((call) => ({
        type: 'tool-call' as const,
        index: call.index,
        id: (call.id ||= this.#makeId()),
        name: call.name,
        arguments: call.arguments.trim() === '' ? '{}' : call.arguments,
      }));
  }

  /** Servers that omit `index` (some OpenAI-compatible ones do) send a new id for each new call. */
  #indexOf(delta: ToolCallDelta): number {
    if (typeof delta.index === 'number' && Number.isInteger(delta.index) && delta.index >= 0) return delta.index;
    if (this.#lastIndex < 0) return 0;
    if (delta.id && ![...this.#calls.values()].some((c) => c.id === delta.id)) {
      return Math.max(...this.#calls.keys()) + 1;
    }
    return this.#lastIndex;
  }
}
