import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { mulberry32 } from '../../test/support/prng.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { addChunks, keywordSearch } from './chunk-index.js';
import { toFtsQuery } from './chunk-index.sqlite.js';
import type { Database } from '../store/database.js';
import type { Chunk } from './types.js';

// Issue 15 item 2: the faster keyword queries must rank exactly as the plain ones did. A generated corpus
// (Zipf-like words, as in bench/retrieval.bench.ts) spread over two tenants and three stores, and queries
// mixing a common, two mid-frequency and a rare word; each answer is compared with a reference query that
// scores every match over the whole table and keeps the scope's best afterwards.

const WORDS = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`);
const rand = mulberry32(11);
const word = () => WORDS[Math.min(WORDS.length - 1, Math.floor(Math.exp(rand() * Math.log(WORDS.length + 1)) - 1))]!;
const text = (n: number) => Array.from({ length: n }, word).join(' ');
/** Mostly 20–100 words; one in five of 1–6 words, which a common word alone can rank high. */
const length = () => (rand() < 0.2 ? 1 + Math.floor(rand() * 6) : 20 + Math.floor(rand() * 80));
const SCOPES = [
  { tenantId: 't1', vectorStoreId: 'vs_a' },
  { tenantId: 't1', vectorStoreId: 'vs_b' },
  { tenantId: 't2', vectorStoreId: 'vs_a' },
];
const QUERIES = Array.from({ length: 12 }, (_, i) =>
  `what is the ${WORDS[5 + i]} ${WORDS[40 + 7 * i]} ${WORDS[60 + 9 * i]} ${WORDS[200 + 13 * i]}`,
);

type Hit = { id: number; score: number };

/** The queries as they were before issue 15: score everything that matches, then filter. */
async function reference(store: Store, opts: { tenantId: string; vectorStoreIds: string[]; query: string; limit: number }): Promise<Hit[]> {
  const stores = sql.join(opts.vectorStoreIds);
  const { rows } =
    store.dialect === 'sqlite'
      ? await sql<Hit>`select c.id, -bm25(chunks_fts) as score from chunks_fts join chunks c on c.id = chunks_fts.rowid
          where chunks_fts match ${toFtsQuery(opts.query)} and c.tenant_id = ${opts.tenantId} and c.vector_store_id in (${stores})
          order by bm25(chunks_fts) limit ${opts.limit}`.execute(store.db)
      : await sql<Hit>`with q as (select replace(plainto_tsquery('english', ${opts.query})::text, ' & ', ' | ')::tsquery as q)
          select c.id, ts_rank(c.text_tsv, q.q, 1) as score from chunks c, q
          where c.text_tsv @@ q.q and c.tenant_id = ${opts.tenantId} and c.vector_store_id in (${stores})
          order by score desc, c.id limit ${opts.limit}`.execute(store.db);
  return rows.map((r) => ({ id: Number(r.id), score: Number(r.score) }));
}

for (const dialect of testDialects()) {
  describe(`keyword search at scale (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let url: string;

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      url = created.url;
      store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      for (let f = 0; f < 30; f++) {
        const chunks: Chunk[] = Array.from({ length: 20 }, (_, index) => ({ index, text: text(length()), tokens: 100 }));
        const vectors = chunks.map(() => new Float32Array([1, rand()]));
        await addChunks(store.db, dialect, { ...SCOPES[f % SCOPES.length]!, fileId: `file-${f}`, chunks, vectors });
      }
      // PostgreSQL tells common words from rare ones by the statistics ANALYZE keeps (autovacuum, live).
      if (dialect === 'postgres') await sql`analyze chunks`.execute(store.db);
    });

    after(async () => {
      await store?.close();
      await drop?.();
    });

    for (const vectorStoreIds of [['vs_a'], ['vs_a', 'vs_b']]) {
      it(`should rank as the reference query does (stores ${vectorStoreIds.join(', ')})`, async () => {
        let hits = 0;
        for (const query of QUERIES) {
          const opts = { tenantId: 't1', vectorStoreIds, query, limit: 20 };
          const want = await reference(store, opts);
          const got = await keywordSearch(store.db, dialect, opts);
          assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id), query);
          got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i]!.score) < 1e-6, query));
          hits += got.length;
        }
        assert.ok(hits > QUERIES.length * 10, `too few hits to compare (${hits})`);
      });
    }

    it('should keep each chunk\'s tsvector in its row, not in TOAST (PostgreSQL)', { skip: dialect !== 'postgres' }, async () => {
      const { rows } = await sql<{ storage: string }>`
        select attstorage as storage from pg_attribute where attrelid = 'chunks'::regclass and attname = 'text_tsv'`.execute(store.db);
      assert.equal(rows[0]!.storage, 'm');
    });

    it('should rank a short chunk holding only a common word where the reference does', async () => {
      const query = `${WORDS[5]} ${WORDS[300]}`;
      const opts = { tenantId: 't1', vectorStoreIds: ['vs_a', 'vs_b'], query, limit: 50 };
      const want = await reference(store, opts);
      assert.deepEqual((await keywordSearch(store.db, dialect, opts)).map((h) => h.id), want.map((h) => h.id));
    });
    it('should rank only the chunks holding a rarer word when the query has a common one (SQLite)', { skip: dialect !== 'sqlite' }, async () => {
      const statements: string[] = [];
      const database = new SQLite(url, { readonly: true });
      const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }), log: (e) => void statements.push(e.query.sql) });
      try {
        for (const query of QUERIES) {
          const opts = { tenantId: 't1', vectorStoreIds: ['vs_a', 'vs_b'], query, limit: 5 };
          const want = await reference(store, opts);
          assert.deepEqual((await keywordSearch(db, dialect, opts)).map((h) => h.id), want.map((h) => h.id), query);
        }
        const ranked = statements.filter((s) => s.includes('bm25('));
        const pruned = ranked.filter((s) => s.includes('+chunks_fts.rowid in (select'));
        assert.ok(pruned.length >= QUERIES.length / 2, `${pruned.length} of ${ranked.length} ranked a candidate set`);
      } finally {
        await db.destroy();
      }
    });
  });
}
