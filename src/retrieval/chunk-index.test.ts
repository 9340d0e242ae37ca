import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import {
  addChunks,
  hybridSearch,
  keywordSearch,
  removeFileChunks,
  removeVectorStoreChunks,
  vectorSearch,
} from './chunk-index.js';
import type { Chunk } from './types.js';

const DIMS = 512;

/** Mostly axis `axis`, a little of `axis + 1`: distinct, predictable cosine neighbours. */
function vec(axis: number, mix: Record<number, number> = {}): Float32Array {
  const v = new Float32Array(DIMS);
  v[axis] = 1;
  v[(axis + 1) % DIMS] = 0.05;
  for (const [i, w] of Object.entries(mix)) v[Number(i)] = w;
  return v;
}

interface Doc {
  text: string;
  axis: number;
}

async function add(store: Store, where: { tenantId: string; vectorStoreId: string; fileId: string }, docs: Doc[]) {
  const chunks: Chunk[] = docs.map((d, index) => ({ index, text: d.text, tokens: d.text.split(' ').length }));
  return addChunks(store.db, store.dialect, { ...where, chunks, vectors: docs.map((d) => vec(d.axis)) });
}

for (const dialect of testDialects()) {
  describe(`chunk index (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const t1a = { tenantId: 't1', vectorStoreId: 'vs_a' };

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      await add(store, { ...t1a, fileId: 'file-1' }, [
        { text: 'Our zeppelin tours leave from the northern hangar at dawn.', axis: 1 },
        { text: 'Zeppelin zeppelin zeppelin: the zeppelin museum sells zeppelin models.', axis: 2 },
        { text: 'Refunds are paid within thirty days to the original card.', axis: 3 },
      ]);
      await add(store, { ...t1a, fileId: 'file-2' }, [
        { text: 'Shipping to Norway takes five working days.', axis: 10 },
        { text: 'Gift wrapping is free for orders above fifty euros.', axis: 11 },
      ]);
      await add(store, { tenantId: 't1', vectorStoreId: 'vs_b', fileId: 'file-3' }, [
        { text: 'The zeppelin hangar of store B is closed on Sundays.', axis: 20 },
      ]);
      // Another tenant, even under the same vector store id, must never show up for t1.
      await add(store, { tenantId: 't2', vectorStoreId: 'vs_a', fileId: 'file-9' }, [
        { text: 'Tenant two also writes about the zeppelin hangar.', axis: 1 },
      ]);
    });

    after(async () => {
      await store?.close();
      await drop?.();
    });

    const scope = { ...t1a, vectorStoreIds: ['vs_a'], limit: 10 };

    it('should find the exact term by keyword, the densest match first', async () => {
      const hits = await keywordSearch(store.db, dialect, { ...scope, query: 'ZEPPELIN?' });
      assert.deepEqual(
        hits.map((h) => [h.fileId, h.chunkIndex]),
        [
          ['file-1', 1],
          ['file-1', 0],
        ],
      );
      assert.ok(hits[0]!.score >= hits[1]!.score);
    });

    it('should treat FTS syntax in the query as plain words', async () => {
      for (const query of ['"unbalanced', 'refunds AND (NOT', 'NEAR(a b)', '*', '-', "o'brien: col:val"]) {
        await keywordSearch(store.db, dialect, { ...scope, query }); // must not throw
      }
      const hits = await keywordSearch(store.db, dialect, { ...scope, query: 'refunds AND (NOT' });
      assert.deepEqual(hits.map((h) => h.chunkIndex), [2]);
    });

    it('should find the nearest vector first, with cosine similarity as its score', async () => {
      const hits = await vectorSearch(store.db, dialect, { ...scope, vector: vec(3) });
      assert.equal(hits.length, 5);
      assert.deepEqual([hits[0]!.fileId, hits[0]!.chunkIndex], ['file-1', 2]);
      assert.ok(Math.abs(hits[0]!.score - 1) < 1e-5, String(hits[0]!.score));
      assert.ok(hits[1]!.score < 0.5);
    });

    it('should rank first a chunk that is good for both keyword and vector', async () => {
      // keyword: chunk 1, then chunk 0; vector: chunk 2, then chunk 0 (nearly as close), … chunk 1 last.
      const vector = vec(3, { 1: 0.97, 2: -0.5 });
      const opts = { ...t1a, vectorStoreIds: ['vs_a'], query: 'zeppelin', vector };
      const hits = await hybridSearch(store.db, dialect, opts);
      assert.deepEqual(hits.slice(0, 3).map((h) => [h.fileId, h.chunkIndex]), [['file-1', 0], ['file-1', 2], ['file-1', 1]]);
      assert.match(hits[0]!.text, /zeppelin tours/);
      assert.equal(hits[0]!.vectorStoreId, 'vs_a');
      const [byVector] = await hybridSearch(store.db, dialect, { ...opts, mode: 'vector', limit: 1 });
      assert.deepEqual([byVector!.chunkIndex, hits[1]!.chunkIndex], [2, 2]);
      assert.ok(Math.abs(hits[1]!.score - 0.85 * byVector!.score) < 1e-6, 'no keyword match: the embedding share of its cosine');
    });

    it('should give scores in [0, 1], best first, and honour limit and score threshold', async () => {
      const opts = { ...t1a, vectorStoreIds: ['vs_a', 'vs_b'], query: 'hangar closed on Sundays, refunds', vector: vec(20) };
      const hits = await hybridSearch(store.db, dialect, opts);
      assert.equal(hits.length, 6);
      for (const h of hits) assert.ok(h.score >= 0 && h.score <= 1, String(h.score));
      assert.deepEqual(
        hits.map((h) => h.score),
        hits.map((h) => h.score).sort((a, b) => b - a),
      );
      assert.deepEqual([hits[0]!.vectorStoreId, hits[0]!.fileId], ['vs_b', 'file-3']);
      assert.equal((await hybridSearch(store.db, dialect, { ...opts, limit: 2 })).length, 2);
      const above = await hybridSearch(store.db, dialect, { ...opts, scoreThreshold: 0.5 });
      assert.ok(above.length > 0 && above.length < hits.length);
      assert.ok(above.every((h) => h.score >= 0.5));
      assert.deepEqual(await hybridSearch(store.db, dialect, { ...opts, scoreThreshold: 1.01 }), []);
    });

    it('should search one ranker alone in keyword or vector mode', async () => {
      const base = { ...t1a, vectorStoreIds: ['vs_a'], query: 'refunds', vector: vec(10) };
      const keyword = await hybridSearch(store.db, dialect, { ...base, mode: 'keyword' });
      assert.deepEqual(keyword.map((h) => [h.chunkIndex, h.score]), [[2, 1]]);
      const vector = await hybridSearch(store.db, dialect, { ...base, mode: 'vector', limit: 1 });
      assert.deepEqual(vector.map((h) => [h.fileId, h.chunkIndex, h.score]), [['file-2', 0, 1]]);
    });

    it('should keep tenants and vector stores apart', async () => {
      const query = { query: 'zeppelin hangar', vector: vec(1) };
      const t2 = await hybridSearch(store.db, dialect, { tenantId: 't2', vectorStoreIds: ['vs_a', 'vs_b'], ...query });
      assert.deepEqual(t2.map((h) => h.fileId), ['file-9']);
      const t1b = await hybridSearch(store.db, dialect, { tenantId: 't1', vectorStoreIds: ['vs_b'], ...query });
      assert.deepEqual(t1b.map((h) => h.fileId), ['file-3']);
      const t1 = await hybridSearch(store.db, dialect, { tenantId: 't1', vectorStoreIds: ['vs_a'], ...query });
      assert.ok(t1.length > 0 && t1.every((h) => h.vectorStoreId === 'vs_a' && h.fileId !== 'file-9'));
      assert.deepEqual(await hybridSearch(store.db, dialect, { tenantId: 't3', vectorStoreIds: ['vs_a'], ...query }), []);
    });

    it('should see chunks added and removed after a search (no stale vector cache)', async () => {
      const where = { tenantId: 't1', vectorStoreId: 'vs_b', fileId: 'file-4' };
      const search = () => vectorSearch(store.db, dialect, { tenantId: 't1', vectorStoreIds: ['vs_b'], limit: 5, vector: vec(30) });
      assert.deepEqual((await search()).map((h) => h.fileId), ['file-3']);
      await add(store, where, [{ text: 'A late addition about balloons.', axis: 30 }]);
      assert.deepEqual((await search()).map((h) => h.fileId), ['file-4', 'file-3']);
      assert.equal(await removeFileChunks(store.db, dialect, where), 1);
      assert.deepEqual((await search()).map((h) => h.fileId), ['file-3']);
      assert.deepEqual(await keywordSearch(store.db, dialect, { ...scope, vectorStoreIds: ['vs_b'], query: 'balloons' }), []);
    });

    it('should remove a file, then a whole vector store, from both indexes', async () => {
      const where = { tenantId: 't1', vectorStoreId: 'vs_tmp' };
      await add(store, { ...where, fileId: 'file-5' }, [{ text: 'Temporary walrus facts.', axis: 40 }]);
      await add(store, { ...where, fileId: 'file-6' }, [{ text: 'More walrus facts.', axis: 41 }]);
      const both = { ...where, vectorStoreIds: ['vs_tmp'], query: 'walrus', vector: vec(40) };
      assert.equal((await hybridSearch(store.db, dialect, both)).length, 2);
      assert.equal(await removeFileChunks(store.db, dialect, { vectorStoreId: 'vs_tmp', fileId: 'file-5' }), 1);
      assert.deepEqual((await hybridSearch(store.db, dialect, both)).map((h) => h.fileId), ['file-6']);
      assert.equal(await removeVectorStoreChunks(store.db, dialect, 'vs_tmp'), 1);
      assert.deepEqual(await hybridSearch(store.db, dialect, both), []);
      if (dialect === 'sqlite') {
        const { rows } = await sql<{ n: number }>`select
          (select count(*) from chunk_vec_512) + (select count(*) from chunks_fts) - 2 * (select count(*) from chunks) as n`.execute(store.db);
        assert.equal(rows[0]!.n, 0, 'vec0 and FTS rows match chunks');
      }
    });

    it('should reject vectors that do not match the chunks', async () => {
      const base = { tenantId: 't1', vectorStoreId: 'vs_a', fileId: 'file-x' };
      const chunk = { index: 0, text: 'x', tokens: 1 };
      await assert.rejects(addChunks(store.db, dialect, { ...base, chunks: [chunk], vectors: [] }), RangeError);
      const twoSizes = [new Float32Array(4), new Float32Array(5)];
      await assert.rejects(addChunks(store.db, dialect, { ...base, chunks: [chunk, chunk], vectors: twoSizes }), RangeError);
      assert.deepEqual(await addChunks(store.db, dialect, { ...base, chunks: [], vectors: [] }), []);
    });
  });
}
