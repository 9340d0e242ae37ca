/**
 * The Responses API's text has no citation markers: where the Assistants API shows `Argon【4:0†facts.txt】` with a
 * `file_citation` annotation spanning the marker, Responses shows `Argon` and an annotation at `index` 5. The
 * marker text comes from the annotations themselves (the spans to cut), so nothing here knows a tool's format.
 * A cutter follows one message's text piece by piece (a stream's deltas; a stored message is one piece) and gives
 * each span its place in the cut text.
 */

/** A span of the whole (uncut) text: `cut` ones are removed, the others only move with the text before them. */
export interface TextSpan {
  start: number;
  end: number;
  cut: boolean;
}

export interface CutPiece {
  /** The piece without its cut spans. */
  value: string;
  /** Each span (in the order given) in the cut text: a cut span is the empty place it left (start = end). */
  places: Array<{ start: number; end: number }>;
}

export class CitationCutter {
  /** Length of the uncut text seen so far, and how much of it was cut. */
  #seen = 0;
  #cut = 0;

  /**
   * The next piece of the text and the spans that lie in it (positions in the whole text, as annotations give them).
   * A span not wholly inside the piece is not cut (its start may have been sent already); it is placed as it is.
   */
  push(piece: string, spans: readonly TextSpan[]): CutPiece {
    const from = this.#seen;
    const to = from + piece.length;
    const order = spans.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start);
    const places: CutPiece['places'] = new Array(spans.length);
    let value = '';
    let pos = from;
    for (const { s, i } of order) {
      const cuttable = s.cut && s.start >= pos && s.end <= to && s.end > s.start;
      const start = Math.max(0, s.start - this.#cut);
      if (!cuttable) {
        places[i] = { start, end: Math.max(start, s.end - this.#cut) };
        continue;
      }
      value += piece.slice(pos - from, s.start - from);
      places[i] = { start, end: start };
      this.#cut += s.end - s.start;
      pos = s.end;
    }
    value += piece.slice(pos - from);
    this.#seen = to;
    return { value, places };
  }
}

/** One whole text (a stored message's) without its cut spans, each span placed in the cut text. */
export const cutCitations = (text: string, spans: readonly TextSpan[]): CutPiece => new CitationCutter().push(text, spans);
