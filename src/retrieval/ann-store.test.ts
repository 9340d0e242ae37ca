import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { mulberry32 } from '../../test/support/prng.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { annStats, annStoreFor, annVectorSearch, configureAnn } from './ann-registry.js';
import { addChunks, removeFileChunks, removeVectorStoreChunks, vectorSearch } from './chunk-index.js';
import { normalize } from './vector-cache.js';

const DIMS = 32;
const MIN_CHUNKS = 12;
const rand = mulberry32(15);
const unit = () => normalize(Float32Array.from({ length: DIMS }, () => rand() * 2 - 1));

/** What the test wrote: chunk id → vector, per store and file. */
const written = new Map<number, { vectorStoreId: string; fileId: string; vector: Float32Array }>();

async function addFile(store: Store, where: { tenantId?: string; vectorStoreId: string; fileId: string }, n: number) {
  const vectors = Array.from({ length: n }, unit);
  const chunks = vectors.map((_, index) => ({ index, text: `chunk ${index} of ${where.fileId}`, tokens: 4 }));
  const ids = await addChunks(store.db, store.dialect, { tenantId: 't1', ...where, chunks, vectors });
  ids.forEach((id, i) => written.set(id, { vectorStoreId: where.vectorStoreId, fileId: where.fileId, vector: vectors[i]! }));
}

/** The exact top `k` ids of a store among what the test wrote and did not delete. */
function exactTop(vectorStoreId: string, query: Float32Array, k: number, live: (id: number) => boolean = () => true): number[] {
  return [...written]
    .filter(([id, w]) => w.vectorStoreId === vectorStoreId && live(id))
    .map(([id, w]) => ({ id, score: w.vector.reduce((s, v, i) => s + v * query[i]!, 0) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((h) => h.id);
}

function open(url: string): Store {
  const store = openDb(url);
  configureAnn(store.db, { minChunks: MIN_CHUNKS, batch: 4, page: 7 });
  return store;
}

for (const dialect of testDialects()) {
  describe(`nearest-neighbour index per vector store (${dialect})`, () => {
    let url: string;
    let drop: () => Promise<void>;
    let a: Store;
    let b: Store;
    const vsBig = { tenantId: 't1', vectorStoreId: 'vs_big' };
    const scope = (store: Store, vector: Float32Array, k = 5) =>
      annVectorSearch(store.db, { tenantId: 't1', vectorStoreIds: ['vs_big'], limit: k, vector });
    const built = (store: Store) => annStoreFor(store.db, { ...vsBig, dims: DIMS }).whenBuilt(store.db);

    before(async () => {
      written.clear();
      ({ url, drop } = await createTestDatabaseUrl(dialect));
      a = open(url);
      const { error } = await migrateToLatest(a.db);
      if (error) throw error;
      for (let f = 0; f < 4; f++) await addFile(a, { vectorStoreId: 'vs_big', fileId: `file-${f}` }, 5);
      await addFile(a, { vectorStoreId: 'vs_small', fileId: 'file-s' }, 3);
      b = open(url); // a second instance: its own indexes, the same database
    });
    after(async () => {
      await a.close();
      await b.close();
      await drop();
    });

    it('should leave the first search to the exact scan and answer from the index once built', async () => {
      const q = unit();
      const first = await scope(a, q);
      assert.deepEqual(first, { hits: [], exactStores: ['vs_big'] });
      await built(a);
      assert.deepEqual(annStoreFor(a.db, { ...vsBig, dims: DIMS }).stats, { phase: 'ready', indexed: 20, pending: 0 });
      const { hits, exactStores } = await scope(a, q);
      assert.deepEqual(exactStores, []);
      assert.deepEqual(hits.map((h) => h.id), exactTop('vs_big', q, 5));
      assert.ok(hits.every((h) => h.vectorStoreId === 'vs_big' && h.fileId.startsWith('file-')));
    });

    it('should give the same hits through vectorSearch as the exact scan', async () => {
      const q = unit();
      const viaIndex = await vectorSearch(a.db, a.dialect, { tenantId: 't1', vectorStoreIds: ['vs_big', 'vs_small'], limit: 8, vector: q });
      const expected = [...exactTop('vs_big', q, 8), ...exactTop('vs_small', q, 8)]
        .map((id) => ({ id, score: written.get(id)!.vector.reduce((s, v, i) => s + v * q[i]!, 0) }))
        .sort((x, y) => y.score - x.score)
        .slice(0, 8)
        .map((h) => h.id);
      assert.deepEqual(viaIndex.map((h) => h.id), expected);
    });

    it('should keep a store under the threshold on the exact scan', async () => {
      const small = annStoreFor(a.db, { tenantId: 't1', vectorStoreId: 'vs_small', dims: DIMS });
      await small.whenBuilt(a.db);
      assert.deepEqual(small.stats, { phase: 'small', indexed: 0, pending: 0 });
      const r = await annVectorSearch(a.db, { tenantId: 't1', vectorStoreIds: ['vs_small'], limit: 3, vector: unit() });
      assert.deepEqual(r.exactStores, ['vs_small']);
    });

    it('should find chunks another instance added, before and after linking them into the graph', async () => {
      await built(b);
      await addFile(a, { vectorStoreId: 'vs_big', fileId: 'file-new' }, 3);
      const target = [...written].find(([, w]) => w.fileId === 'file-new')!;
      const { hits } = await scope(b, target[1].vector, 1);
      assert.deepEqual(hits.map((h) => [h.id, h.fileId]), [[target[0], 'file-new']]);
      const idx = annStoreFor(b.db, { ...vsBig, dims: DIMS });
      await idx.whenDrained();
      assert.deepEqual(idx.stats, { phase: 'ready', indexed: 23, pending: 0 });
      assert.deepEqual((await scope(b, target[1].vector, 1)).hits.map((h) => h.id), [target[0]]);
    });

    it('should stop finding a file removed through another instance', async () => {
      await built(b);
      await removeFileChunks(a.db, a.dialect, { vectorStoreId: 'vs_big', fileId: 'file-0' });
      const live = (id: number) => written.get(id)!.fileId !== 'file-0';
      const q = written.get([...written.keys()].find((id) => written.get(id)!.fileId === 'file-0')!)!.vector;
      const { hits } = await scope(b, q, 6);
      assert.deepEqual(hits.map((h) => h.id), exactTop('vs_big', q, 6, live));
      assert.equal(annStoreFor(b.db, { ...vsBig, dims: DIMS }).stats.indexed, 18);
    });

    it('should rebuild from the database in a new process', async () => {
      const c = open(url);
      try {
        const q = unit();
        const live = (id: number) => written.get(id)!.fileId !== 'file-0';
        await annStoreFor(c.db, { ...vsBig, dims: DIMS }).whenBuilt(c.db);
        assert.deepEqual((await scope(c, q, 5)).hits.map((h) => h.id), exactTop('vs_big', q, 5, live));
      } finally {
        await c.close();
      }
    });

    it('should scan exactly without touching the index when asked to (a selective filter)', async () => {
      const c = open(url);
      try {
        const q = unit();
        const live = (id: number) => written.get(id)!.fileId !== 'file-0';
        const hits = await vectorSearch(c.db, c.dialect, { tenantId: 't1', vectorStoreIds: ['vs_big'], limit: 4, vector: q, exact: true });
        assert.deepEqual(hits.map((h) => h.id), exactTop('vs_big', q, 4, live));
        assert.deepEqual(annStats(c.db), []);
      } finally {
        await c.close();
      }
    });

    it("should not answer for another tenant's store", async () => {
      const r = await annVectorSearch(a.db, { tenantId: 't2', vectorStoreIds: ['vs_big'], limit: 5, vector: unit() });
      assert.deepEqual(r, { hits: [], exactStores: ['vs_big'] });
    });

    it('should drop a deleted store and fall back to the exact scan when it is empty', async () => {
      await removeVectorStoreChunks(a.db, a.dialect, 'vs_big');
      const r = await scope(a, unit(), 5);
      assert.deepEqual(r, { hits: [], exactStores: ['vs_big'] });
    });
  });
}
