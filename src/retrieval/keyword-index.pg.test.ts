import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { mulberry32 } from '../../test/support/prng.js';
import { waitFor } from '../../test/support/until.js';
import type { Database } from '../store/database.js';
import { migrateToLatest, openDb } from '../store/open-db.js';
import { addChunks, keywordSearch, removeFileChunks } from './chunk-index.js';
import { configureKeywordIndex, keywordIndexStats } from './keyword-store.pg.js';
import type { Chunk } from './types.js';

// Issue 15 item 2 on PostgreSQL: the in-memory keyword index (keyword-index.ts, keyword-store.pg.ts) must return
// what ts_rank over every match returns, to the last bit of its float4 scores, in one statement. A generated
// corpus with repeated words (tf up to ~20) and short chunks, two stores of one tenant and one of another.

const WORDS = Array.from({ length: 300 }, (_, i) => `w${i.toString(36)}x`);
const rand = mulberry32(23);
const word = () => WORDS[Math.min(WORDS.length - 1, Math.floor(Math.exp(rand() * Math.log(WORDS.length + 1)) - 1))]!;
const text = (n: number) => Array.from({ length: n }, word).join(' ');
const length = () => (rand() < 0.2 ? 1 + Math.floor(rand() * 6) : 20 + Math.floor(rand() * 150));
const QUERIES = Array.from({ length: 16 }, (_, i) => `what is the ${WORDS[i]} ${WORDS[30 + 7 * i]} ${WORDS[60 + 9 * i]} ${WORDS[150 + 9 * i]}`);
const T1 = 't1';

type Hit = { id: number; score: number };

/** ts_rank over every match of the scope, as the search did before issue 15. */
async function reference(db: Kysely<Database>, opts: { tenantId: string; vectorStoreIds: string[]; query: string; limit: number }): Promise<Hit[]> {
  const { rows } = await sql<Hit>`with q as (select replace(plainto_tsquery('english', ${opts.query})::text, ' & ', ' | ')::tsquery as q)
    select c.id, ts_rank(c.text_tsv, q.q, 1) as score from chunks c, q
    where c.text_tsv @@ q.q and c.tenant_id = ${opts.tenantId} and c.vector_store_id in (${sql.join(opts.vectorStoreIds)})
    order by score desc, c.id limit ${opts.limit}`.execute(db);
  return rows.map((r) => ({ id: Number(r.id), score: Number(r.score) }));
}

async function addFile(db: Kysely<Database>, opts: { tenantId: string; vectorStoreId: string; fileId: string; texts: string[] }): Promise<void> {
  const chunks: Chunk[] = opts.texts.map((t, index) => ({ index, text: t, tokens: 100 }));
  await addChunks(db, 'postgres', { ...opts, chunks, vectors: chunks.map(() => new Float32Array([1, 0])) });
}

for (const dialect of testDialects().filter((d) => d === 'postgres')) {
  describe(`in-memory keyword index (${dialect})`, () => {
    let drop: () => Promise<void>;
    let pool: pg.Pool;
    let db: Kysely<Database>;
    const statements: string[] = [];
    const ranked = (got: Array<{ id: number; score: number }>) => got.map((h) => [h.id, h.score]);

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      const store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      for (let f = 0; f < 9; f++) {
        const [tenantId, vectorStoreId] = [[T1, 'vs_a'], [T1, 'vs_b'], ['t2', 'vs_t2']][f % 3]!;
        await addFile(store.db, { tenantId: tenantId!, vectorStoreId: vectorStoreId!, fileId: `file-${f}`, texts: Array.from({ length: 40 }, () => text(length())) });
      }
      await sql`analyze chunks`.execute(store.db);
      await store.close();
      pool = new pg.Pool({ connectionString: created.url, max: 2 });
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (e) => void statements.push(e.query.sql) });
      configureKeywordIndex(db, { minChunks: 1, page: 37 });
    });

    after(async () => {
      await db?.destroy();
      await drop?.();
    });

    const search = (vectorStoreIds: string[], query: string, tenantId = T1) => keywordSearch(db, dialect, { tenantId, vectorStoreIds, query, limit: 20 });

    it('should rank by SQL until the stores are indexed, then from memory, with the same ids and float4 scores', async () => {
      const scopes = [['vs_a'], ['vs_a', 'vs_b']];
      for (const vectorStoreIds of scopes) assert.deepEqual(ranked(await search(vectorStoreIds, QUERIES[0]!)), ranked(await reference(db, { tenantId: T1, vectorStoreIds, query: QUERIES[0]!, limit: 20 })));
      await waitFor(() => keywordIndexStats(db).length === 2 && keywordIndexStats(db).every((s) => s.phase === 'ready'), 'the keyword indexes');
      let hits = 0;
      for (const vectorStoreIds of scopes)
        for (const query of QUERIES) {
          const got = await search(vectorStoreIds, query);
          assert.deepEqual(ranked(got), ranked(await reference(db, { tenantId: T1, vectorStoreIds, query, limit: 20 })), query);
          hits += got.length;
        }
      assert.ok(hits > QUERIES.length * 20, `too few hits to compare (${hits})`);
      assert.deepEqual(keywordIndexStats(db).map((s) => s.chunks), [120, 120]);
    });

    it('should answer an indexed search with one statement (lexemes and index versions)', async () => {
      await search(['vs_a', 'vs_b'], QUERIES[1]!);
      await waitFor(() => keywordIndexStats(db).every((s) => s.phase === 'ready'), 'the keyword indexes');
      statements.length = 0;
      await search(['vs_a', 'vs_b'], QUERIES[2]!);
      assert.equal(statements.length, 1, statements.join('\n'));
      assert.match(statements[0]!, /chunk_index_versions/);
    });

    it('should find chunks added after the build and stop finding chunks removed', async () => {
      const query = 'what about qzqzword';
      await search(['vs_a'], QUERIES[3]!);
      await waitFor(() => keywordIndexStats(db).some((s) => s.vectorStoreId === 'vs_a' && s.phase === 'ready'), 'the index of vs_a');
      assert.deepEqual(await search(['vs_a'], query), []);
      await addFile(db, { tenantId: T1, vectorStoreId: 'vs_a', fileId: 'file-new', texts: ['qzqzword qzqzword and more', 'nothing here'] });
      const found = await search(['vs_a'], query);
      assert.deepEqual(found.map((h) => [h.fileId, h.chunkIndex, h.vectorStoreId]), [['file-new', 0, 'vs_a']]);
      assert.deepEqual(ranked(found), ranked(await reference(db, { tenantId: T1, vectorStoreIds: ['vs_a'], query, limit: 20 })));
      await removeFileChunks(db, 'postgres', { vectorStoreId: 'vs_a', fileId: 'file-new' });
      assert.deepEqual(await search(['vs_a'], query), []);
      await removeFileChunks(db, 'postgres', { vectorStoreId: 'vs_a', fileId: 'file-0' });
      for (const q of QUERIES.slice(0, 4))
        assert.deepEqual(ranked(await search(['vs_a'], q)), ranked(await reference(db, { tenantId: T1, vectorStoreIds: ['vs_a'], query: q, limit: 20 })), q);
    });

    it('should merge an indexed store with a small one ranked by SQL, as one ranking', async () => {
      await addFile(db, { tenantId: T1, vectorStoreId: 'vs_small', fileId: 'file-small', texts: Array.from({ length: 10 }, () => text(length())) });
      const mixed = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      configureKeywordIndex(mixed, { minChunks: 50 });
      const scope = ['vs_b', 'vs_small'];
      await keywordSearch(mixed, dialect, { tenantId: T1, vectorStoreIds: scope, query: QUERIES[0]!, limit: 20 });
      await waitFor(() => keywordIndexStats(mixed).length === 2 && keywordIndexStats(mixed).every((s) => s.phase !== 'building' && s.phase !== 'idle'), 'the keyword indexes');
      assert.deepEqual(keywordIndexStats(mixed).map((s) => [s.vectorStoreId, s.phase]), [['vs_b', 'ready'], ['vs_small', 'small']]);
      for (const query of QUERIES.slice(0, 6)) {
        const got = await keywordSearch(mixed, dialect, { tenantId: T1, vectorStoreIds: scope, query, limit: 40 });
        assert.deepEqual(ranked(got), ranked(await reference(db, { tenantId: T1, vectorStoreIds: scope, query, limit: 40 })), query);
      }
    });

    it("should not search another tenant's store", async () => {
      await search(['vs_t2'], QUERIES[0]!, 't2');
      await waitFor(() => keywordIndexStats(db).some((s) => s.vectorStoreId === 'vs_t2' && s.phase === 'ready'), 'the index of vs_t2');
      assert.ok((await search(['vs_t2'], QUERIES[0]!, 't2')).length > 0);
      assert.deepEqual(await search(['vs_t2'], QUERIES[0]!), []);
      assert.deepEqual(await search(['vs_a'], QUERIES[0]!, 't2'), []);
    });
  });
}
