import type { Annotation, AnnotationDelta } from 'openai/resources/beta/threads/messages';

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
  annotations: AnnotationDelta[];
}

/**
 * Annotates a message's text as it streams, as OpenAI does: a mark that may still be incomplete
 * (`【4:0†sou`, `sandbox:/mnt/da`) is held back until it is resolved, then sent with its
 * annotation in the same delta, so an annotation's text always stands in the text sent so far.
 * What the deltas carried is exactly `annotations`, the message's final list.
 */
export class TextAnnotator {
  readonly #sources: AnnotationSource[];
  #text = '';
  #sent = 0;
  readonly annotations: Annotation[] = [];

  constructor(sources: Array<AnnotationSource | null>) {
    this.#sources = sources.filter((s): s is AnnotationSource => s !== null);
  }

  /** The whole text so far. */
  get text(): string {
    return this.#text;
  }

  /** Adds model text; returns what may be sent now, if anything. */
  push(delta: string): AnnotatedDelta | null {
    this.#text += delta;
    let until = this.#text.length;
    for (const s of this.#sources) {
      const open = s.openFrom(this.#text);
      // A mark that began in text already sent cannot be held back: it goes unannotated.
      if (open >= this.#sent && open < until) until = open;
    }
    return this.#release(until);
  }

  /** The text is complete: whatever was held back, resolved. */
  flush(): AnnotatedDelta | null {
    return this.#release(this.#text.length);
  }

  #release(until: number): AnnotatedDelta | null {
    if (until <= this.#sent) return null;
    const from = this.#sent;
    const value = this.#text.slice(from, until);
    this.#sent = until;
    // Nothing held back straddles `from`, so marks in this piece are found in it alone.
    const found = this.#sources
      .flatMap((s) => s.find(value))
      .map((a) => ({ ...a, start_index: a.start_index + from, end_index: a.end_index + from }))
      .sort((a, b) => a.start_index - b.start_index);
    const annotations = found.map((a, i): AnnotationDelta => ({ index: this.annotations.length + i, ...a }));
    this.annotations.push(...found);
    return { value, annotations };
  }
}
