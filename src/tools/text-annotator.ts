import type { Annotation } from 'openai/resources/beta/threads/messages';

/** What a tool's results let the engine annotate in the model's text (file citations, sandbox links). */
export interface AnnotationSource {
  /** The annotations of the complete marks in `text` (indexes into `text`). */
  find(text: string): Annotation[];
  /** Where a mark that the next text may still complete or extend starts, or -1. */
  openFrom(text: string): number;
}

/** A piece of text ready to stream, with the annotations it completes (numbered in the message). */
export interface AnnotatedDelta {
  value: string;
  /** Each with its place among the message's annotations. */
  annotations: Array<Annotation & { index: number }>;
}

/**
 * Annotates a message's text as it streams, as OpenAI does: a mark that may still be incomplete
 * (`【4:0†sou`, `sandbox:/mnt/da`) is held back until it is resolved, then sent with its
 * annotation in the same delta, so an annotation's text always stands in the text sent so far.
 * What the deltas carried is exactly `annotations`, the message's final list.
 */
export class TextAnnotator {
  readonly #sources: AnnotationSource[];
  /** The text sent so far, in pieces, and its length. */
  readonly #sentParts: string[] = [];
  #sent = 0;
  /** Text not sent yet (only this is searched, so a long message costs no more per delta than a short one). */
  #pending = '';
  readonly annotations: Annotation[] = [];

  constructor(sources: Array<AnnotationSource | null>) {
    this.#sources = sources.filter((s): s is AnnotationSource => s !== null);
  }

  /** The whole text so far. */
  get text(): string {
    return this.#sentParts.join('') + this.#pending;
  }

  /** Adds model text; returns what may be sent now, if anything. */
  push(delta: string): AnnotatedDelta | null {
    this.#pending += delta;
    let until = this.#pending.length;
    // Only unsent text is searched: a mark that began in text already sent goes unannotated.
    for (const s of this.#sources) {
      const open = s.openFrom(this.#pending);
      if (open >= 0 && open < until) until = open;
    }
    return this.#release(until);
  }

  /** The text is complete: whatever was held back, resolved. */
  flush(): AnnotatedDelta | null {
    return this.#release(this.#pending.length);
  }

  #release(until: number): AnnotatedDelta | null {
    if (until <= 0) return null;
    const from = this.#sent;
    const value = this.#pending.slice(0, until);
    this.#pending = this.#pending.slice(until);
    this.#sentParts.push(value);
    this.#sent += value.length;
    // Nothing held back straddles `from`, so marks in this piece are found in it alone.
    const found = this.#sources
      .flatMap((s) => s.find(value))
      .map((a) => ({ ...a, start_index: a.start_index + from, end_index: a.end_index + from }))
      .sort((a, b) => a.start_index - b.start_index);
    const annotations = found.map((a, i) => ({ index: this.annotations.length + i, ...a }));
    this.annotations.push(...found);
    return { value, annotations };
  }
}
