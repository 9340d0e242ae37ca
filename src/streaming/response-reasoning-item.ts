import type { ResponseReasoningItem } from 'openai/resources/responses/responses';
import type { UnnumberedEvent } from './response-events.js';

/**
 * The model's reasoning in one turn as a Responses `reasoning` item being streamed, as OpenAI streams the
 * reasoning text of its open-weight models: output_item.added, content_part.added (`reasoning_text`, content
 * index 0), reasoning_text.delta…, reasoning_text.done, content_part.done, output_item.done. The SDK's stream
 * helper builds the item's content from the content_part events (ResponseAccumulator), so they are not optional.
 * No summary: Switchboard does not summarize reasoning.
 */
export class ReasoningItem {
  readonly #id: string;
  readonly outputIndex: number;
  #text = '';

  constructor(id: string, outputIndex: number) {
    this.#id = id;
    this.outputIndex = outputIndex;
  }

  /** output_item.added then content_part.added; returns the item as added. */
  start(out: UnnumberedEvent[]): ResponseReasoningItem {
    const item = this.#item('in_progress', []);
    out.push({ type: 'response.output_item.added', output_index: this.outputIndex, item });
    out.push({ type: 'response.content_part.added', ...this.#place(), part: { type: 'reasoning_text', text: '' } });
    return item;
  }

  text(delta: string, out: UnnumberedEvent[]): void {
    this.#text += delta;
    out.push({ type: 'response.reasoning_text.delta', ...this.#place(), delta });
  }

  /** reasoning_text.done, content_part.done, output_item.done; returns the item as done. */
  done(status: 'completed' | 'incomplete', out: UnnumberedEvent[]): ResponseReasoningItem {
    const part = { type: 'reasoning_text' as const, text: this.#text };
    const item = this.#item(status, [part]);
    out.push({ type: 'response.reasoning_text.done', ...this.#place(), text: this.#text });
    out.push({ type: 'response.content_part.done', ...this.#place(), part });
    out.push({ type: 'response.output_item.done', output_index: this.outputIndex, item });
    return item;
  }

  #place() {
    return { item_id: this.#id, output_index: this.outputIndex, content_index: 0 };
  }

  #item(status: NonNullable<ResponseReasoningItem['status']>, content: ResponseReasoningItem.Content[]): ResponseReasoningItem {
    return { id: this.#id, type: 'reasoning', summary: [], content, status };
  }
}
