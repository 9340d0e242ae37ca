import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Annotation } from 'openai/resources/beta/threads/messages';
import { citedFiles, splitAnnotated } from '../../console/src/lib/annotations.js';

const cite = (start: number, end: number, fileId: string): Annotation => ({
  type: 'file_citation',
  text: '',
  start_index: start,
  end_index: end,
  file_citation: { file_id: fileId },
});

describe('splitAnnotated', () => {
  it('should cut the text at each citation and number them', () => {
    const text = 'Paris【4:0†a.txt】 is big【4:1†b.txt】.';
    const first = text.indexOf('【');
    const second = text.lastIndexOf('【');
    const segments = splitAnnotated(text, [cite(second, text.length - 1, 'file-b'), cite(first, first + '【4:0†a.txt】'.length, 'file-a')]);
    assert.deepEqual(segments, [
      { text: 'Paris' },
      { text: '【4:0†a.txt】', fileId: 'file-a', kind: 'file_citation', n: 1 },
      { text: ' is big' },
      { text: '【4:1†b.txt】', fileId: 'file-b', kind: 'file_citation', n: 2 },
      { text: '.' },
    ]);
  });

  it('should leave out overlapping or out-of-range annotations', () => {
    assert.deepEqual(splitAnnotated('abcdef', [cite(0, 3, 'f1'), cite(2, 4, 'f2'), cite(5, 99, 'f3')]), [
      { text: 'abc', fileId: 'f1', kind: 'file_citation', n: 1 },
      { text: 'def' },
    ]);
    assert.deepEqual(citedFiles([cite(0, 1, 'f1'), cite(1, 2, 'f1'), cite(2, 3, 'f2')]), ['f1', 'f2']);
  });
});
