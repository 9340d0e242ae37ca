import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { mulberry32 } from '../../test/support/prng.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { annStats, annStoreFor, configureAnn } from './ann-registry.js';
import { addChunks, keywordSearch, vectorSearch } from './chunk-index.js';
import { indexBudget, limitIndexMemory } from './index-budget.js';
import { configureKeywordIndex, keywordIndexStats, whenKeywordIndexBuilt } from './keyword-store.pg.js';
import { normalize } from './vector-cache.js';

// In-memory indexes under a memory cap (index-budget.ts): the least recently searched store's index is dropped,
// and the store still answers exactly (the exact scan / SQL) while a new index builds.

const DIMS = 16;
const rand = mulberry32(41);
const unit = () => normalize(Float32Array.from({ length: DIMS }, () => rand() * 2 - 1));
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
const text = () => Array.from({ length: 12 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
const T = 't1';

for (const dialect of testDialects()) {
  describe(`in-memory indexes under a memory cap (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const vectors = new Map<number, { vectorStoreId: string; vector: Float32Array }>();

    async function addStore(vectorStoreId: string, n: number): Promise<void> {
      const vs = Array.from({ length: n }, unit);
      const chunks = vs.map((_, index) => ({ index, text: text(), tokens: 12 }));
      const ids = await addChunks(store.db, store.dialect, { tenantId: T, vectorStoreId, fileId: `file-${vectorStoreId}`, chunks, vectors: vs });
      ids.forEach((id, i) => vectors.set(id, { vectorStoreId, vector: vs[i]! }));
    }

    const exactTop = (vectorStoreId: string, q: Float32Array, k: number) =>
      [...vectors]
        .filter(([, v]) => v.vectorStoreId === vectorStoreId)
        .map(([id, v]) => ({ id, score: v.vector.reduce((s, x, i) => s + x * q[i]!, 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, k)
        .map((h) => h.id);
    const search = (vectorStoreId: string, vector: Float32Array) => vectorSearch(store.db, store.dialect, { tenantId: T, vectorStoreIds: [vectorStoreId], vector, limit: 5 });
    const annOf = (vectorStoreId: string) => annStoreFor(store.db, { tenantId: T, vectorStoreId, dims: DIMS });

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      configureAnn(store.db, { minChunks: 10, batch: 8, page: 16 });
      configureKeywordIndex(store.db, { minChunks: 10, page: 16 });
      for (const vs of ['vs_a', 'vs_b']) await addStore(vs, 40);
    });
    after(async () => {
      await store?.close();
      await drop?.();
    });

    it('should evict the least recently searched index past the cap, and answer exactly while it is rebuilt', async () => {
      const q = unit();
      await annOf('vs_a').whenBuilt(store.db);
      const aBytes = annOf('vs_a').bytes;
      assert.ok(aBytes >= 40 * DIMS * 2, `an index of 40 ${DIMS}-d f16 vectors holds at least their bytes (${aBytes})`);
      assert.deepEqual((await search('vs_a', q)).map((h) => h.id), exactTop('vs_a', q, 5));
      limitIndexMemory(store.db, aBytes + 1, { minIdleMs: 0 }); // room for one of the two
      await annOf('vs_b').whenBuilt(store.db);
      annOf('vs_b'); // counted at its built size: vs_a, the least recently used, is dropped
      assert.deepEqual(annStats(store.db).map((s) => s.vectorStoreId), ['vs_b']);
      assert.ok(indexBudget(store.db).totalBytes <= aBytes + 1);

      // vs_a again: a new index, empty until built; the exact scan answers meanwhile, with the same hits
      assert.deepEqual((await search('vs_a', q)).map((h) => h.id), exactTop('vs_a', q, 5));
      await annOf('vs_a').whenBuilt(store.db);
      assert.equal(annOf('vs_a').stats.phase, 'ready');
      assert.deepEqual(annStats(store.db).map((s) => s.vectorStoreId), ['vs_a'], 'vs_b is dropped in turn once vs_a is built and used');
      assert.deepEqual((await search('vs_a', q)).map((h) => h.id), exactTop('vs_a', q, 5));
      limitIndexMemory(store.db, Number.MAX_SAFE_INTEGER);
    });

    it('should evict keyword indexes with the same budget and answer by SQL meanwhile', { skip: dialect !== 'postgres' }, async () => {
      const key = (vectorStoreId: string) => ({ tenantId: T, vectorStoreId });
      const query = { tenantId: T, vectorStoreIds: ['vs_a'], query: 'alpha delta juliet', limit: 10 };
      await whenKeywordIndexBuilt(store.db, key('vs_a'));
      const fromIndex = await keywordSearch(store.db, 'postgres', query);
      const keywordA = keywordIndexStats(store.db).find((s) => s.vectorStoreId === 'vs_a')!;
      assert.equal(keywordA.phase, 'ready');
      limitIndexMemory(store.db, 1, { minIdleMs: 0 }); // only the index in use stays
      await whenKeywordIndexBuilt(store.db, key('vs_b'));
      assert.deepEqual(keywordIndexStats(store.db).map((s) => s.vectorStoreId), ['vs_b']);
      assert.deepEqual(annStats(store.db), [], 'the nearest-neighbour indexes share the budget');
      const bySql = await keywordSearch(store.db, 'postgres', query); // a new index, building: SQL ranks
      assert.ok(keywordIndexStats(store.db).some((s) => s.vectorStoreId === 'vs_a'), 'made anew on its next search');
      assert.deepEqual(bySql, fromIndex);
      limitIndexMemory(store.db, Number.MAX_SAFE_INTEGER);
    });
  });
}
