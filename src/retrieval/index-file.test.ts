import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EmbedOptions, Embedder } from '../embeddings/embedder.js';
import { ProviderError } from '../providers/provider-error.js';
import { AUTO_CHUNKING, IngestionError, indexFile, toLastError, type EmbeddedBatch } from './index-file.js';

describe('indexFile', () => {
  it("should embed as background work on the file's tenant", async () => {
    const calls: EmbedOptions[] = [];
    const embedder: Embedder = {
      model: 'spy',
      dimensions: 2,
      embed: async (texts, opts = {}) => {
        calls.push(opts);
        return { vectors: texts.map(() => Float32Array.from([1, 0])), promptTokens: 0 };
      },
    };
    const readFile = async () => ({ filename: 'a.txt', bytes: Buffer.from('Some text about ferns.') });
    const signal = new AbortController().signal;
    const file = { tenantId: 'tenant-a', fileId: 'file-1', chunkingStrategy: AUTO_CHUNKING };
    const stored: EmbeddedBatch[] = [];
    const indexed = await indexFile({ readFile, embedder }, file, signal, { onBatch: async (b) => void stored.push(b) });
    assert.equal(indexed.chunkCount, 1);
    assert.deepEqual(stored.map((b) => [b.index, b.vectors.length, b.indexedChunks, b.usageBytes]), [[0, 1, 1, 22]]);
    assert.equal(calls.length, 1);
    const { signal: batchSignal, ...rest } = calls[0]!;
    assert.deepEqual(rest, { caller: 'tenant-a', priority: 'background' });
    assert.equal(batchSignal?.aborted, false, 'a signal that stops the batch with the file');
  });

  it('should fail a file that is gone as invalid_file, embedding nothing', async () => {
    const embedder: Embedder = { model: 'spy', dimensions: 2, embed: async () => assert.fail('embedded a missing file') };
    const file = { tenantId: 'tenant-a', fileId: 'file-gone', chunkingStrategy: AUTO_CHUNKING };
    const indexing = indexFile({ readFile: async () => undefined, embedder }, file, new AbortController().signal, {
      onBatch: async () => assert.fail('stored a missing file'),
    });
    await assert.rejects(indexing, (err: unknown) => {
      assert.ok(err instanceof IngestionError);
      assert.deepEqual(toLastError(err), { code: 'invalid_file', message: 'The file file-gone no longer exists.' });
      return true;
    });
  });
});

describe('toLastError', () => {
  it("should say why the embedding upstream failed, as a server error (failures.ts's rule)", () => {
    const err = new ProviderError({ provider: 'emb', kind: 'timeout', message: "The upstream 'emb' did not answer within 300 ms (timeout_ms)." });
    assert.deepEqual(toLastError(err), { code: 'server_error', message: err.message });
  });

  it('should keep an unexpected error to itself', () => {
    assert.deepEqual(toLastError(new Error('secret')), { code: 'server_error', message: 'An internal error occurred while processing the file.' });
  });
});
