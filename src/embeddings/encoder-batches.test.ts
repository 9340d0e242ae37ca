import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SEGMENT_CHARS, packBatches, poolSegments, segmentText } from './encoder-batches.js';

describe('segmentText', () => {
  it('should leave a text of at most the maximum whole', () => {
    assert.deepEqual(segmentText('hello world'), ['hello world']);
    const edge = 'x'.repeat(MAX_SEGMENT_CHARS);
    assert.deepEqual(segmentText(edge), [edge]);
  });

  it('should cut a long text at whitespace into pieces of at most the maximum that join back to it', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const parts = segmentText(text, 1000);
    assert.equal(parts.join(''), text);
    assert.ok(parts.length >= 24, `${parts.length} parts`);
    for (const p of parts.slice(0, -1)) {
      assert.ok(p.length <= 1000 && p.length > 500, `length ${p.length}`);
      assert.ok(p.endsWith(' '), 'cut after a space');
    }
  });

  it('should cut a text without spaces hard, never inside a character', () => {
    const text = '😀'.repeat(1000); // 2,000 UTF-16 units
    const parts = segmentText(text, 301);
    assert.equal(parts.join(''), text);
    for (const p of parts) assert.equal(p.length % 2, 0, 'whole surrogate pairs');
    assert.ok(parts.every((p) => p.length <= 301));
  });
});

describe('packBatches', () => {
  it('should keep the order and put at least one segment in every batch', () => {
    const segments = ['a', 'x'.repeat(20_000), 'b', 'c'];
    const batches = packBatches(segments);
    assert.deepEqual(batches.flat(), segments);
    assert.ok(batches.every((b) => b.length >= 1));
    assert.deepEqual(batches[1], ['x'.repeat(20_000)], 'a long segment goes alone');
  });

  it('should bound a batch of short texts and of medium texts', () => {
    const short = packBatches(Array(64).fill('hello there'));
    assert.equal(short.length, 4, 'batches of 16');
    const medium = packBatches(Array(9).fill('m'.repeat(1000)));
    assert.deepEqual(medium.map((b) => b.length), [3, 3, 3]);
  });
});

describe('poolSegments', () => {
  const v = (...xs: number[]) => Float32Array.from(xs);

  it('should keep the vector of a one-segment text as it is', () => {
    const only = v(0.6, 0.8);
    const [out] = poolSegments({ vectors: [only], segments: [['text']] });
    assert.equal(out, only);
  });

  it('should average the segments of a text weighted by length, at unit length, text by text', () => {
    const out = poolSegments({
      vectors: [v(1, 0), v(0, 1), v(1, 0), v(0, 1), v(0.6, 0.8)],
      segments: [['aaa', 'a'], ['bb', 'bb'], ['c']],
    });
    const rounded = (x: Float32Array) => Array.from(x, (n) => Math.round(n * 1e6) / 1e6);
    assert.equal(out.length, 3);
    assert.deepEqual(rounded(out[0]!), [0.948683, 0.316228], '(3, 1) / √10');
    assert.deepEqual(rounded(out[1]!), [0.707107, 0.707107]);
    assert.deepEqual(rounded(out[2]!), [0.6, 0.8]);
  });
});
