import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { controlledStream, fakeEmbedding, startFakeUpstream, type ControlledStream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { until, waitFor } from '../support/until.js';
import type { IndexingProgress } from '../../src/store/serialize-vector-stores.js';

const EMBEDDINGS = '/v1/embeddings';
/** 100-token chunks, no overlap: the text below makes 14 of them, 7 batches of 2. */
const STRATEGY = { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } } as const;
const TOPICS = ['tides', 'ferns', 'bonds', 'chess', 'bread'];
const TEXT = Array.from({ length: 120 }, (_, i) => `Sentence ${i} is about ${TOPICS[i % 5]} and number ${i * 7}.`).join(' ');

const embeddingsBody = (input: string[]) =>
  JSON.stringify({
    object: 'list',
    data: input.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })),
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: input.length, total_tokens: input.length },
  });

for (const dialect of testDialects()) {
  describe(`ingestion with an upstream embedding model (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({
        dialect,
        env: { SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_UPSTREAM_API_KEY: 'sk-upstream' },
        yaml: 'models:\n  embed-small: { provider: default, model: text-embedding-3-small }\nembeddings: { retrieval_model: embed-small }\n',
        server: { ingestion: { embedBatchSize: 2, embedConcurrency: 3 } },
      });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    const attach = async () => {
      const vs = await client.vectorStores.create({ name: 'pipelined' });
      const f = await client.files.create({ file: await toFile(Buffer.from(TEXT), 'topics.txt'), purpose: 'assistants' });
      await client.vectorStores.files.create(vs.id, { file_id: f.id, chunking_strategy: STRATEGY });
      return { vs, f };
    };
    const progressOf = async (vsId: string, fileId: string) => {
      const file = await client.vectorStores.files.retrieve(fileId, { vector_store_id: vsId });
      return { status: file.status, progress: (file as typeof file & { indexing_progress?: IndexingProgress }).indexing_progress };
    };
    const storedChunks = (vsId: string, fileId: string) =>
      app.server.deps.store.db
        .selectFrom('chunks')
        .select(['chunk_index', 'text', 'embedding'])
        .where('vector_store_id', '=', vsId)
        .where('file_id', '=', fileId)
        .orderBy('id')
        .execute();

    // Requests leave in batch order but may reach the fake in another (each on its own connection): find a
    // handle's batch by where its first chunk sits in the text.
    const positionOf = (call: number) => TEXT.indexOf((fake.calls[call]!.body.input as string[])[0]!.slice(0, 30));
    /** Call (= handle) numbers among the first `n`, in batch order. */
    const inBatchOrder = (n: number) => [...Array(n).keys()].sort((a, b) => positionOf(a) - positionOf(b));
    const answer = (handles: ControlledStream[], call: number) => {
      handles[call]!.writeRaw(embeddingsBody(fake.calls[call]!.body.input as string[]));
      handles[call]!.end(false);
    };

    it('should keep 3 embedding requests in flight, store batches in order as they complete, and show progress', async () => {
      // The first five requests wait for the test; the fake answers the last two at once.
      const handles: ControlledStream[] = Array.from({ length: 5 }, () => controlledStream());
      fake.enqueue(EMBEDDINGS, ...handles.map((handle) => ({ type: 'controlled' as const, handle })));
      const { vs, f } = await attach();
      await Promise.all(handles.slice(0, 3).map((h) => h.started));
      assert.equal(fake.calls.length, 3, 'three requests at once, no more');
      assert.deepEqual(await progressOf(vs.id, f.id), { status: 'in_progress', progress: { total_chunks: 14, indexed_chunks: 0 } });
      const [first, second, third] = inBatchOrder(3) as [number, number, number];
      answer(handles, third);
      answer(handles, second);
      await Promise.all([handles[3]!.started, handles[4]!.started]);
      assert.equal((await progressOf(vs.id, f.id)).progress?.indexed_chunks, 0, 'batch 1 and 2 wait for batch 0');
      answer(handles, first);
      await waitFor(async () => (await progressOf(vs.id, f.id)).progress?.indexed_chunks === 6, 'batches 0-2 stored');
      answer(handles, 4);
      answer(handles, 3);
      const done = await until(() => progressOf(vs.id, f.id), (p) => p.status === 'completed');
      assert.deepEqual(done, { status: 'completed', progress: undefined });

      const inputs = inBatchOrder(fake.calls.length).map((c) => fake.calls[c]!.body.input as string[]);
      assert.deepEqual(inputs.map((i) => i.length), [2, 2, 2, 2, 2, 2, 2]);
      const chunks = await storedChunks(vs.id, f.id);
      assert.deepEqual(chunks.map((c) => c.chunk_index), [...Array(14).keys()], 'complete, in order');
      assert.deepEqual(chunks.map((c) => c.text), inputs.flat(), 'batch by batch, in the order sent');
      for (const c of chunks) {
        const bytes = Buffer.from(c.embedding);
        const stored = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
        assert.deepEqual(stored, fakeEmbedding(c.text), `chunk ${c.chunk_index} has its own vector`);
      }
      assert.match(chunks.map((c) => c.text).join(' '), /Sentence 0 is about tides.*Sentence 119 is about bread/s);
    });

    it('should fail the file and keep none of its chunks when a later batch fails', async () => {
      const handles: ControlledStream[] = Array.from({ length: 3 }, () => controlledStream());
      fake.enqueue(EMBEDDINGS, ...handles.map((handle) => ({ type: 'controlled' as const, handle })));
      const { vs, f } = await attach();
      await Promise.all(handles.map((h) => h.started));
      const [first, second, third] = inBatchOrder(3) as [number, number, number];
      answer(handles, first);
      await waitFor(async () => (await progressOf(vs.id, f.id)).progress?.indexed_chunks === 2, 'batch 0 stored');
      assert.equal((await storedChunks(vs.id, f.id)).length, 2);
      handles[third]!.writeRaw('upstream trouble');
      handles[third]!.end(false);
      await handles[second]!.aborted; // batch 2 failed: batch 1, still in flight, is given up
      const file = await until(() => client.vectorStores.files.retrieve(f.id, { vector_store_id: vs.id }), (x) => x.status !== 'in_progress');
      assert.equal(file.status, 'failed');
      assert.equal(file.last_error?.code, 'server_error');
      assert.deepEqual(await storedChunks(vs.id, f.id), []);
    });

    it("should remove what a cancelled batch's file stored, and store no more of it", async () => {
      const handles: ControlledStream[] = Array.from({ length: 3 }, () => controlledStream());
      fake.enqueue(EMBEDDINGS, ...handles.map((handle) => ({ type: 'controlled' as const, handle })));
      const vs = await client.vectorStores.create({ name: 'cancelled' });
      const f = await client.files.create({ file: await toFile(Buffer.from(TEXT), 'topics.txt'), purpose: 'assistants' });
      const batch = await client.vectorStores.fileBatches.create(vs.id, { file_ids: [f.id], chunking_strategy: STRATEGY });
      await Promise.all(handles.map((h) => h.started));
      const [first, second, third] = inBatchOrder(3) as [number, number, number];
      answer(handles, first);
      await waitFor(async () => (await storedChunks(vs.id, f.id)).length === 2, 'batch 0 stored');
      const cancelled = await client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: vs.id });
      assert.equal(cancelled.status, 'cancelled');
      assert.deepEqual(await storedChunks(vs.id, f.id), []);
      answer(handles, second); // its write finds the file cancelled: the worker stops, giving up batch 2
      await handles[third]!.aborted;
      assert.deepEqual(await storedChunks(vs.id, f.id), []);
      const file = await client.vectorStores.files.retrieve(f.id, { vector_store_id: vs.id });
      assert.equal(file.status, 'cancelled');
    });
  });
}
