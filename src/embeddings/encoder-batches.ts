/**
 * Cutting the local encoder's work into small units of bounded cost, for the fair scheduler.
 *
 * Measured on this project's 2-core machine (Universal Sentence Encoder lite, tfjs wasm, in its worker): one text
 * costs ~15 ms plus a little for its length up to ~16k characters (1k: ~90 ms in a batch, 8k: ~130 ms alone), then
 * its cost explodes (32k: ~4 s, 55k: ~25 s), because the package's tokenizer copies the rest of the text at every
 * character. So a long text is embedded as segments of at most 8,000 characters whose vectors are averaged
 * (weighted by length), and segments go to the model in batches of bounded estimated cost (~0.3 s): 16 short
 * texts, 3 of 1,000 characters, or one long segment. A text of at most 8,000 characters embeds exactly as before.
 */
import { normalize } from '../providers/normalize.js';

export const MAX_SEGMENT_CHARS = 8000;
/** Estimated cost of a segment, in characters: a fixed part per text plus its length. */
const TEXT_COST = 250;
const BATCH_BUDGET = 4500;

/** A text's segments: ≤ `max` characters each, cut at whitespace where there is some in the second half. */
export function segmentText(text: string, max = MAX_SEGMENT_CHARS): string[] {
  const segments: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    let end = start + max;
    const space = Math.max(text.lastIndexOf(' ', end), text.lastIndexOf('\n', end));
    if (space > start + max / 2) end = space + 1;
    else if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1; // never split a character
    segments.push(text.slice(start, end));
    start = end;
  }
  segments.push(text.slice(start));
  return segments;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Consecutive segments grouped so that each group's estimated cost stays within budget (at least one each). */
export function packBatches(segments: readonly string[]): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let cost = 0;
  for (const segment of segments) {
    const c = TEXT_COST + segment.length;
    if (batch.length > 0 && cost + c > BATCH_BUDGET) {
      batches.push(batch);
      batch = [];
      cost = 0;
    }
    batch.push(segment);
    cost += c;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * One vector per text from its segments' vectors (unit length, in segment order): the length-weighted mean,
 * scaled back to unit length. A text of one segment keeps its vector as it is.
 */
export function poolSegments(opts: { vectors: Float32Array[]; segments: string[][] }): Float32Array[] {
  let next = 0;
  return opts.segments.map((parts) => {
    if (parts.length === 1) return opts.vectors[next++]!;
    const sum = new Float32Array(opts.vectors[next]!.length);
    for (const part of parts) {
      const v = opts.vectors[next++]!;
      for (let i = 0; i < sum.length; i++) sum[i]! += v[i]! * part.length;
    }
    return normalize(sum);
  });
}
