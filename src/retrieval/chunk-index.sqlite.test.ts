import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import * as sqliteVec from 'sqlite-vec';
import { createTestDatabaseUrl } from '../../test/support/databases.js';
import { mulberry32 } from '../../test/support/prng.js';
import type { Database } from '../store/database.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { addChunks, hybridSearch, keywordSearch } from './chunk-index.js';
import { termDocs, toFtsQuery } from './chunk-index.sqlite.js';
import type { Chunk } from './types.js';

// Issue 15, SQLite hybrid at 100k chunks (bench/retrieval-profile.ts): per hybrid query, four document-frequency
// counts read the common word's whole posting list, every chunk holding a rarer word was checked against the scope,
// and each was scored against the common word too. These tests pin what replaced that: counts kept while FTS5's
// index is unchanged, the scope checked on the best matches only, and hybrid's keyword half ranked by the rarer words.

const WORDS = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`);
const rand = mulberry32(23);
const word = () => WORDS[Math.min(WORDS.length - 1, Math.floor(Math.exp(rand() * Math.log(WORDS.length + 1)) - 1))]!;
const text = (n: number) => Array.from({ length: n }, word).join(' ');
const QUERY = `what is the ${WORDS[3]} ${WORDS[45]} ${WORDS[61]} ${WORDS[230]}`;
/** Two common words (in 3/4 and 1/5 of the chunks) and three rarer ones (about 1/12 each), matching over 100 chunks. */
const MIXED = `what is the ${WORDS[3]} ${WORDS[30]} ${WORDS[78]} ${WORDS[80]} ${WORDS[84]}`;
const DIMS = 8;
const unit = (i: number) => Float32Array.from({ length: DIMS }, (_, j) => (j === i % DIMS ? 1 : 0.1));

type Hit = { id: number; score: number };

/** bm25 of `match` over every in-scope match: what the searches must return. */
async function reference(db: Kysely<Database>, opts: { tenantId: string; vectorStoreId: string; match: string; limit: number }): Promise<Hit[]> {
  const { rows } = await sql<Hit>`select c.id, -bm25(chunks_fts) as score from chunks_fts join chunks c on c.id = chunks_fts.rowid
    where chunks_fts match ${opts.match} and c.tenant_id = ${opts.tenantId} and c.vector_store_id = ${opts.vectorStoreId}
    order by bm25(chunks_fts) limit ${opts.limit}`.execute(db);
  return rows.map((r) => ({ id: Number(r.id), score: r.score }));
}

describe('SQLite keyword search (issue 15, hybrid at scale)', () => {
  let store: Store;
  let drop: () => Promise<void>;
  let logged: Kysely<Database>;
  const statements: string[] = [];

  async function addFile(where: { tenantId: string; vectorStoreId: string; fileId: string }, n: number): Promise<void> {
    const chunks: Chunk[] = Array.from({ length: n }, (_, index) => ({ index, text: text(20 + Math.floor(rand() * 60)), tokens: 60 }));
    await addChunks(store.db, 'sqlite', { ...where, chunks, vectors: chunks.map((_, i) => unit(i)) });
  }

  before(async () => {
    const created = await createTestDatabaseUrl('sqlite');
    drop = created.drop;
    store = openDb(created.url);
    const { error } = await migrateToLatest(store.db);
    if (error) throw error;
    for (let f = 0; f < 12; f++) await addFile({ tenantId: 't1', vectorStoreId: 'vs_big', fileId: `big-${f}` }, 40);
    await addFile({ tenantId: 't1', vectorStoreId: 'vs_small', fileId: 'small-0' }, 30);
    await addFile({ tenantId: 't2', vectorStoreId: 'vs_big', fileId: 'other-tenant' }, 40);
    await addFile({ tenantId: 't3', vectorStoreId: 'vs_t3_small', fileId: 'small-tenant' }, 30);
    const database = new SQLite(created.url);
    sqliteVec.load(database);
    logged = new Kysely<Database>({ dialect: new SqliteDialect({ database }), log: (e) => void statements.push(e.query.sql) });
  });

  after(async () => {
    await logged?.destroy();
    await store?.close();
    await drop?.();
  });

  it('should count a term\'s chunks once while the index is unchanged, and again after it changes', async () => {
    const terms = toFtsQuery(QUERY)!.split(' OR ');
    const count = async (t: string) => Number((await sql<{ n: number }>`select count(*) as n from chunks_fts where chunks_fts match ${t}`.execute(logged)).rows[0]!.n);
    statements.length = 0;
    const first = await termDocs(logged, terms);
    assert.deepEqual(first.docs, await Promise.all(terms.map(count)));
    statements.length = 0;
    await termDocs(logged, terms);
    assert.equal(statements.filter((s) => s.includes('count(*)')).length, 0, statements.join('\n'));

    await addFile({ tenantId: 't1', vectorStoreId: 'vs_other', fileId: 'later' }, 30); // through the other connection
    statements.length = 0;
    const again = await termDocs(logged, terms);
    assert.equal(statements.filter((s) => s.includes('count(*)')).length, 1, 'one statement counts every term');
    assert.deepEqual(again.docs, await Promise.all(terms.map(count)));
    assert.ok(again.docs[0]! > first.docs[0]!, 'the new chunks hold the common word too');
  });

  it('should rank hybrid\'s keyword half as bm25 of the whole query ranks the best chunks by the rarer words', async () => {
    const terms = toFtsQuery(MIXED)!.split(' OR ');
    const { rows, docs } = await termDocs(logged, terms);
    const rarer = terms.filter((_, i) => docs[i]! <= rows * 0.1);
    assert.ok(rarer.length > 0 && rarer.length < terms.length, `the query mixes common and rarer words (${docs.join(', ')} of ${rows})`);
    const opts = { tenantId: 't1', vectorStoreIds: ['vs_big'], query: MIXED, limit: 20 };
    statements.length = 0;
    const got = await keywordSearch(logged, 'sqlite', { ...opts, windowed: true });
    const ranked = statements.filter((s) => s.includes('bm25('));
    const scope = { tenantId: 't1', vectorStoreId: 'vs_big' };
    // the window: the index's best limit × 4 by the rarer words (every tenant's), those in scope kept
    const { rows: best } = await sql<{ id: number }>`select rowid as id from chunks_fts where chunks_fts match ${rarer.join(' OR ')}
      order by bm25(chunks_fts) limit 80`.execute(logged);
    const window = new Set(best.map((r) => Number(r.id)));
    const whole = await reference(logged, { ...scope, match: terms.join(' OR '), limit: 10_000 });
    const want = whole.filter((h) => window.has(h.id)).slice(0, 20);
    assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id));
    got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i]!.score) < 1e-9));
    const byRarer = await reference(logged, { ...scope, match: rarer.join(' OR '), limit: 20 });
    assert.notDeepEqual(got.map((h) => h.id), byRarer.map((h) => h.id), 'the common words\' shares change the order here');
    // one ranking by the rarer words, one pass scoring the window's chunks by the common ones
    assert.deepEqual(ranked.map((s) => (s.includes('json_each') ? 'common' : 'rarer')), ['rarer', 'common'], ranked.join('\n'));
  });

  it('should take the window from the scope\'s own best when few of the index\'s best are in scope', async () => {
    const terms = toFtsQuery(MIXED)!.split(' OR ');
    const { rows, docs } = await termDocs(logged, terms);
    const rarer = terms.filter((_, i) => docs[i]! <= rows * 0.1);
    const scope = { tenantId: 't1', vectorStoreId: 'vs_small' };
    const window = new Set((await reference(logged, { ...scope, match: rarer.join(' OR '), limit: 12 })).map((h) => h.id));
    assert.ok(window.size >= 3, `${window.size} of the small store's chunks hold a rarer word`);
    const whole = await reference(logged, { ...scope, match: terms.join(' OR '), limit: 10_000 });
    const want = whole.filter((h) => window.has(h.id)).slice(0, 3);
    const got = await keywordSearch(logged, 'sqlite', { tenantId: 't1', vectorStoreIds: ['vs_small'], query: MIXED, limit: 3, windowed: true });
    assert.equal(got.length, 3);
    assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id));
    got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i]!.score) < 1e-9));
  });

  it('should rank every match when the rarer words match fewer chunks than asked for', async () => {
    const query = `${WORDS[3]} zzzunseen`;
    const want = await reference(logged, { tenantId: 't1', vectorStoreId: 'vs_big', match: toFtsQuery(query)!, limit: 20 });
    const got = await keywordSearch(logged, 'sqlite', { tenantId: 't1', vectorStoreIds: ['vs_big'], query, limit: 20, windowed: true });
    assert.equal(got.length, 20);
    assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id));
  });

  it('should rank exactly as every in-scope match does, for a store holding a small share of the index', async () => {
    for (const [vectorStoreId, match] of [['vs_small', toFtsQuery(QUERY)!], ['vs_small', `"${WORDS[3]}"`], ['vs_big', `"${WORDS[3]}"`]] as const) {
      const want = await reference(logged, { tenantId: 't1', vectorStoreId, match, limit: 20 });
      const query = match.replaceAll('"', '').replaceAll(' OR ', ' ');
      const got = await keywordSearch(logged, 'sqlite', { tenantId: 't1', vectorStoreIds: [vectorStoreId], query, limit: 20 });
      assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id), `${vectorStoreId}: ${query}`);
      assert.ok(got.every((h) => h.vectorStoreId === vectorStoreId));
    }
  });

  it('should rank a small store of another tenant by itself, not from the whole index first', async () => {
    const scope = { tenantId: 't3', vectorStoreId: 'vs_t3_small' };
    for (const [query, windowed] of [[QUERY, false], [`${WORDS[3]}`, false], [MIXED, true]] as const) {
      const limit = 10;
      statements.length = 0;
      const got = await keywordSearch(logged, 'sqlite', { tenantId: scope.tenantId, vectorStoreIds: [scope.vectorStoreId], query, limit, windowed });
      const ranked = statements.filter((s) => s.includes('bm25('));
      // the whole index's best, each with whether it is in scope (sqliteFtsTop): mostly the other tenants' chunks
      assert.equal(ranked.filter((s) => s.includes('"inScope"')).length, 0, `${query}:\n${ranked.join('\n')}`);
      assert.ok(got.length > 0 && got.every((h) => h.vectorStoreId === scope.vectorStoreId));
      if (windowed) continue; // hybrid's half ranks the scope's best by the rarer words: shown above
      const want = await reference(logged, { ...scope, match: toFtsQuery(query)!, limit });
      assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id), query);
      got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i]!.score) < 1e-9));
    }
  });

  it('should answer a hybrid query in 8 statements once the counts are known (10 before)', async () => {
    const vector = unit(3);
    const opts = { tenantId: 't1', vectorStoreIds: ['vs_big'], query: MIXED, vector, limit: 10 };
    await hybridSearch(logged, 'sqlite', opts);
    statements.length = 0;
    const hits = await hybridSearch(logged, 'sqlite', opts);
    assert.equal(hits.length, 10);
    // keyword: index state, ranking by the rarer words, the window's common-word scores, refs; vector (a small store:
    // the exact scan): index version, vec0 table, KNN; hydration. Before: the highest id and four counts, one ranking.
    assert.equal(statements.length, 8, statements.join('\n'));
  });
});
