import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AnnotationSource } from './text-annotator.js';
import { TextAnnotator } from './text-annotator.js';

/** Cites `[n]` marks; a `[` not yet closed may still become one. */
const brackets: AnnotationSource = {
  find: (text) =>
    [...text.matchAll(/\[(\d+)\]/g)].map((m) => ({
      type: 'file_citation' as const,
      text: m[0],
      start_index: m.index,
      end_index: m.index + m[0].length,
      file_citation: { file_id: `file-${m[1]}` },
    })),
  openFrom: (text) => {
    const open = text.lastIndexOf('[');
    return open > text.lastIndexOf(']') ? open : -1;
  },
};

function stream(pieces: string[]) {
  const annotator = new TextAnnotator([brackets, null]);
  const out = [...pieces.map((p) => annotator.push(p)), annotator.flush()].filter((d) => d !== null);
  return { annotator, out };
}

describe('TextAnnotator', () => {
  it('should give every split of the text the annotations of the whole, each in the delta that completes it', () => {
    const text = 'See [1] and [23], not [x].';
    const whole = brackets.find(text);
    for (let i = 0; i <= text.length; i++)
      for (let j = i; j <= text.length; j++) {
        const { annotator, out } = stream([text.slice(0, i), text.slice(i, j), text.slice(j)]);
        assert.equal(out.map((d) => d.value).join(''), text);
        assert.deepEqual(annotator.annotations, whole);
        let sent = '';
        for (const d of out) {
          sent += d.value;
          for (const a of d.annotations) assert.equal(sent.slice(a.start_index, a.end_index), a.text);
        }
        assert.deepEqual(
          out.flatMap((d) => d.annotations).map((a) => a.index),
          whole.map((_, k) => k),
        );
      }
  });

  it('should hold back only an open mark', () => {
    const { out } = stream(['Hello [', '1] world']);
    assert.deepEqual(
      out.map((d) => d.value),
      ['Hello ', '[1] world'],
    );
  });

  it('should pass text through untouched with no source', () => {
    const annotator = new TextAnnotator([null]);
    assert.deepEqual(annotator.push('a [1'), { value: 'a [1', annotations: [] });
    assert.equal(annotator.flush(), null);
  });
});
