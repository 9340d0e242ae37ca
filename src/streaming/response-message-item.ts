import type { ResponseOutputMessage, ResponseOutputText, ResponseTextDeltaEvent } from 'openai/resources/responses/responses';
import type { TextAnnotation } from '../engine/engine-events.js';
import { CitationCutter } from '../store/citation-cutter.js';
import type { TokenLogprob } from '../providers/chat-model.js';
import type { UnnumberedEvent } from './response-events.js';

type OutputAnnotation = ResponseOutputText['annotations'][number];

/** What annotating a message needs beyond its text: the container the code ran in, and cited files' names. */
export interface AnnotationContext {
  containerId: string;
  fileName(fileId: string): string | undefined;
}

/**
 * One assistant message as a Responses `message` item being streamed: one `output_text` part (content index 0;
 * the images a message opens with are not Responses content) that grows by deltas and gains annotations. The text
 * has no citation markers (OpenAI's Responses text has none): each file_citation's span is cut from its delta (the
 * engine sends a marker whole, in one delta, with its annotation) and the citation placed where it stood.
 */
export class MessageItem {
  readonly #id: string;
  readonly outputIndex: number;
  readonly #ctx: AnnotationContext;
  #text = '';
  readonly #cutter = new CitationCutter();
  readonly #annotations: OutputAnnotation[] = [];
  readonly #logprobs: TokenLogprob[] = [];

  constructor(id: string, outputIndex: number, ctx: AnnotationContext) {
    this.#id = id;
    this.outputIndex = outputIndex;
    this.#ctx = ctx;
  }

  /** output_item.added then content_part.added; returns the item as added. */
  start(out: UnnumberedEvent[]): ResponseOutputMessage {
    const item = this.#item('in_progress', []);
    out.push({ type: 'response.output_item.added', output_index: this.outputIndex, item });
    out.push({ type: 'response.content_part.added', ...this.#place(), part: emptyPart() });
    return item;
  }

  /**
   * A piece of the text (with its tokens' logprobs, when asked for), then each annotation it completes. Citation
   * markers are cut out of the text (the Responses API shows none); the annotations point into what is left.
   */
  text(delta: string, annotations: readonly TextAnnotation[], out: UnnumberedEvent[], logprobs: readonly TokenLogprob[] = []): void {
    const cut = this.#cutter.push(delta, annotations.map((a) => ({ start: a.start, end: a.end, cut: a.kind === 'file_citation' })));
    this.#text += cut.value;
    this.#logprobs.push(...logprobs);
    if (cut.value || logprobs.length) out.push({ type: 'response.output_text.delta', ...this.#place(), delta: cut.value, logprobs: logprobs.map(toEventLogprob) });
    for (const [i, a] of annotations.entries()) {
      const annotation = toOutputAnnotation({ ...a, ...cut.places[i] }, this.#ctx);
      this.#annotations[a.index] = annotation;
      out.push({ type: 'response.output_text.annotation.added', ...this.#place(), annotation_index: a.index, annotation });
    }
  }

  /** output_text.done, content_part.done, output_item.done; returns the item as done. */
  done(status: 'completed' | 'incomplete', out: UnnumberedEvent[]): ResponseOutputMessage {
    const part: ResponseOutputText = { type: 'output_text', text: this.#text, annotations: [...this.#annotations], logprobs: this.#logprobs.map(toOutputLogprob) };
    const item = this.#item(status, [part]);
    out.push({ type: 'response.output_text.done', ...this.#place(), text: this.#text, logprobs: this.#logprobs.map(toEventLogprob) });
    out.push({ type: 'response.content_part.done', ...this.#place(), part });
    out.push({ type: 'response.output_item.done', output_index: this.outputIndex, item });
    return item;
  }

  #place() {
    return { item_id: this.#id, output_index: this.outputIndex, content_index: 0 };
  }

  #item(status: ResponseOutputMessage['status'], content: ResponseOutputText[]): ResponseOutputMessage {
    return { id: this.#id, type: 'message', status, role: 'assistant', content };
  }
}

const emptyPart = (): ResponseOutputText => ({ type: 'output_text', text: '', annotations: [], logprobs: [] });

/**
 * An engine annotation as a Responses one: a cited source → file_citation (at the citation's place in the text,
 * as store/serialize-items.ts shows stored messages), a file the code wrote → container_file_citation (the
 * thread's code session is the container).
 */
export function toOutputAnnotation(a: TextAnnotation, ctx: AnnotationContext): OutputAnnotation {
  const filename = ctx.fileName(a.fileId);
  if (a.kind === 'file_citation') return { type: 'file_citation', file_id: a.fileId, filename: filename ?? '', index: a.start };
  return {
    type: 'container_file_citation',
    container_id: ctx.containerId,
    file_id: a.fileId,
    filename: filename ?? a.text.split('/').pop() ?? '',
    start_index: a.start,
    end_index: a.end,
  };
}

/** A token's logprob as `output_text.logprobs` holds it (bytes included; none known is an empty list). */
export function toOutputLogprob(t: TokenLogprob): ResponseOutputText.Logprob {
  const one = (x: { token: string; logprob: number; bytes: number[] | null }) => ({ token: x.token, bytes: x.bytes ?? [], logprob: x.logprob });
  return { ...one(t), top_logprobs: t.top.map(one) };
}

/** A token's logprob as the `output_text.delta` / `.done` events carry it (no bytes). */
function toEventLogprob(t: TokenLogprob): ResponseTextDeltaEvent.Logprob {
  return { token: t.token, logprob: t.logprob, top_logprobs: t.top.map(({ token, logprob }) => ({ token, logprob })) };
}
