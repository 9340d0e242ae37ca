import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FileCitationAnnotation } from 'openai/resources/beta/threads/messages';
import { TextAnnotator, type AnnotationSource } from '../tools/text-annotator.js';
import { CitationCutter, cutCitations } from './citation-cutter.js';

const cite = (text: string, marker: string) => ({ start: text.indexOf(marker), end: text.indexOf(marker) + marker.length, cut: true });

describe('cutCitations', () => {
  it('should remove each cited marker and place its annotation where the marker stood', () => {
    const text = 'Argon【4:0†a.txt】 cools it【4:1†b.txt】.';
    const { value, places } = cutCitations(text, [cite(text, '【4:0†a.txt】'), cite(text, '【4:1†b.txt】')]);
    assert.equal(value, 'Argon cools it.');
    assert.deepEqual(places, [
      { start: 5, end: 5 },
      { start: 14, end: 14 },
    ]);
  });

  it('should move a kept span (a sandbox link) by the markers cut before it, and keep its text', () => {
    const text = 'See【4:0†a.txt】 and sandbox:/mnt/data/o.csv';
    const link = { start: text.indexOf('sandbox:'), end: text.length, cut: false };
    const { value, places } = cutCitations(text, [link, cite(text, '【4:0†a.txt】')]);
    assert.equal(value, 'See and sandbox:/mnt/data/o.csv');
    assert.deepEqual(places[0], { start: 8, end: value.length });
    assert.equal(value.slice(places[0]!.start, places[0]!.end), 'sandbox:/mnt/data/o.csv');
    assert.deepEqual(places[1], { start: 3, end: 3 });
  });

  it('should leave a text without spans as it is', () => {
    assert.deepEqual(cutCitations('Plain 【text】.', []), { value: 'Plain 【text】.', places: [] });
  });
});

describe('CitationCutter', () => {
  it('should cut markers delta by delta, with indexes in the whole cut text', () => {
    const cutter = new CitationCutter();
    const first = cutter.push('One【0:0†a】', [{ start: 3, end: 10, cut: true }]);
    const second = cutter.push(' two', []);
    const third = cutter.push('【0:1†b】!', [{ start: 14, end: 21, cut: true }]);
    assert.deepEqual([first.value, second.value, third.value], ['One', ' two', '!']);
    assert.deepEqual([first.places, third.places], [[{ start: 3, end: 3 }], [{ start: 7, end: 7 }]]);
  });

  it('should not cut a span that began in a piece already given (its start was sent)', () => {
    const cutter = new CitationCutter();
    cutter.push('ab【0:0', []);
    const { value, places } = cutter.push('†a】c', [{ start: 2, end: 9, cut: true }]);
    assert.equal(value, '†a】c');
    assert.deepEqual(places, [{ start: 2, end: 9 }]);
  });

  it("should never show half a marker when the engine's annotator feeds it markers split across deltas", () => {
    const files = new Map([['0:0', 'file-a'], ['0:1', 'file-b']]);
    const marker = /【(\d+):(\d+)†[^】]*】/g;
    const source: AnnotationSource = {
      find: (text) =>
        [...text.matchAll(marker)].flatMap((m): FileCitationAnnotation[] => {
          const fileId = files.get(`${m[1]}:${m[2]}`);
          return fileId ? [{ type: 'file_citation', text: m[0], start_index: m.index, end_index: m.index + m[0].length, file_citation: { file_id: fileId } }] : [];
        }),
      openFrom: (text) => text.indexOf('【', text.lastIndexOf('】') + 1),
    };
    const annotator = new TextAnnotator([source]);
    const cutter = new CitationCutter();
    const deltas = ['Argon', ' 【0', ':0†a.t', 'xt】 cools', ' it【0:1', '†b.txt', '】.'];
    const sent: string[] = [];
    const indexes: number[] = [];
    for (const piece of [...deltas.map((d) => annotator.push(d)), annotator.flush()]) {
      if (!piece) continue;
      const spans = piece.annotations.map((a) => ({ start: a.start_index, end: a.end_index, cut: a.type === 'file_citation' }));
      const { value, places } = cutter.push(piece.value, spans);
      sent.push(value);
      indexes.push(...places.map((p) => p.start));
    }
    for (const value of sent) assert.ok(!/[【†】]/.test(value), `a delta shows part of a marker: ${JSON.stringify(value)}`);
    const text = sent.join('');
    assert.equal(text, 'Argon  cools it.');
    assert.deepEqual(indexes, [6, 15]);
    assert.equal(text.slice(0, indexes[1]), 'Argon  cools it');
  });
});
