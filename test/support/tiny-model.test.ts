import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { loadNodeLlamaCpp } from '../../src/providers/local/runtime.js';
import { toFloat16Bits } from './gguf-writer.js';
import { TINY_CHAT_TEMPLATE, tinyModelPath } from './tiny-model.js';

describe('toFloat16Bits', () => {
  it('should encode exact halves, rounding and subnormals', () => {
    assert.equal(toFloat16Bits(1), 0x3c00);
    assert.equal(toFloat16Bits(-2), 0xc000);
    assert.equal(toFloat16Bits(0.5), 0x3800);
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(1e6), 0x7c00);
    assert.equal(toFloat16Bits(2 ** -24), 0x0001);
    assert.equal(toFloat16Bits(0), 0);
    assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00); // a tie rounds to even
    assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
  });
});

describe('tiny test model', () => {
  let dir: string;
  let path: string;
  let llama: Llama;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-tiny-'));
    path = tinyModelPath({}, dir);
    const { getLlama } = await loadNodeLlamaCpp();
    llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });
  });
  after(async () => {
    await llama?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should be a few MB and be reused for the same parameters', () => {
    const size = statSync(path).size;
    assert.ok(size > 1_000_000 && size < 12_000_000, `size ${size}`);
    assert.equal(tinyModelPath({}, dir), path);
    assert.notEqual(tinyModelPath({ seed: 7 }, dir), path);
  });

  it('should read back as GGUF v3 with the llama metadata, the vocabulary and the chat template', async () => {
    const { readGgufFileInfo } = await loadNodeLlamaCpp();
    const info = await readGgufFileInfo(path);
    assert.equal(info.version, 3);
    assert.equal(info.metadata.general.architecture, 'llama');
    assert.equal(info.metadata.tokenizer.ggml.model, 'llama');
    assert.equal(info.metadata.tokenizer.ggml.tokens.length, 32004);
    assert.equal(info.metadata.tokenizer.chat_template, TINY_CHAT_TEMPLATE);
    assert.equal(info.fullTensorInfo?.length, 3 + 2 * 9);
  });

  it('should load in llama.cpp, tokenize text losslessly and keep ChatML markers as single tokens', async () => {
    const model = await llama.loadModel({ modelPath: path });
    try {
      const text = 'Hello world, ça va? 42 + 1 = 43';
      assert.equal(model.detokenize(model.tokenize(text)), text);
      const marker = model.tokenize('<|im_start|>', true);
      assert.equal(marker.length, 1);
      assert.equal(model.tokens.eos, marker[0]! + 1); // <|im_end|> ends a turn
    } finally {
      await model.dispose();
    }
  });
});
