import type { Annotation } from 'openai/resources/beta/threads/messages';

/** A piece of a message's text: plain, or the marker of a citation of (or a path to) a file. */
export type TextSegment = { text: string } | { text: string; fileId: string; kind: 'file_citation' | 'file_path'; n: number };

/**
 * Splits a text block at its annotations so each marker can link to its file. Annotations that
 * overlap an earlier one, or fall outside the text, are left out (the text is kept as is).
 */
export function splitAnnotated(text: string, annotations: readonly Annotation[]): TextSegment[] {
  const sorted = [...annotations].sort((a, b) => a.start_index - b.start_index);
  const out: TextSegment[] = [];
  let at = 0;
  let n = 0;
  for (const a of sorted) {
    if (a.start_index < at || a.end_index > text.length || a.end_index <= a.start_index) continue;
    if (a.start_index > at) out.push({ text: text.slice(at, a.start_index) });
    const fileId = a.type === 'file_citation' ? a.file_citation.file_id : a.file_path.file_id;
    out.push({ text: text.slice(a.start_index, a.end_index), fileId, kind: a.type, n: ++n });
    at = a.end_index;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** The distinct files a message cites, in order of first citation. */
export function citedFiles(annotations: readonly Annotation[]): string[] {
  const ids = annotations.map((a) => (a.type === 'file_citation' ? a.file_citation.file_id : a.file_path.file_id));
  return [...new Set(ids)];
}
