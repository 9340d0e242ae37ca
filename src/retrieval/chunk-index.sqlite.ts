// SQLite side of the chunk index: FTS5 (bm25) for keywords, sqlite-vec vec0 KNN for vectors.
import type { Db } from '../store/database.js';
import {
  hasSqliteVectorTable,
  sqliteFtsDocCount,
  sqliteFtsSearch,
  sqliteMaxChunkId,
  sqliteVectorKnn,
} from '../store/repos/chunks-sqlite.repo.js';
import type { RankedChunk, SearchScope } from './types.js';

/** PostgreSQL's English stop words (snowball): too common to rank by, and slow to match. */
const STOP_WORDS = new Set(
  ('i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself ' +
    'it its itself they them their theirs themselves what which who whom this that these those am is are was were be ' +
    'been being have has had having do does did doing a an the and but if or because as until while of at by for with ' +
    'about against between into through during before after above below to from up down in out on off over under ' +
    'again further then once here there when where why how all any both each few more most other some such no nor not ' +
    'only own same so than too very s t can will just don should now').split(' '),
);

/**
 * An FTS5 query that matches any of the words of `query` but stop words (all of them if that is
 * all there is): each word quoted, so FTS5 syntax in the user's text is inert, and OR-ed; bm25 then
 * favours chunks holding more, and rarer, of them. Undefined when the query has no words.
 */
export function toFtsQuery(query: string, maxTerms = 64): string | undefined {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
  const content = words.filter((w) => !STOP_WORDS.has(w));
  const terms = (content.length > 0 ? content : words).slice(0, maxTerms);
  return terms.length > 0 ? terms.map((w) => `"${w}"`).join(' OR ') : undefined;
}

/** A term held by more than this share of the chunks is "common": ranked only where a rarer term is. */
const COMMON_SHARE = 0.1;

/** FTS5's bm25 parameters (fts5_aux.c): a term adds idf · tf·(k1+1) / (tf + k1·(…)) < idf · (k1+1). */
const BM25_K1 = 1.2;

/**
 * The most one term can add to a chunk's bm25 score, with FTS5's idf (floored at 1e-6) and `rows` an
 * upper bound of the rows FTS5 counts (idf grows with it).
 */
export function bm25TermBound(opts: { docs: number; rows: number }): number {
  const idf = Math.log((opts.rows - opts.docs + 0.5) / (opts.docs + 0.5));
  return (idf > 0 ? idf : 1e-6) * (BM25_K1 + 1);
}

/**
 * Chunks matching any word of the query, by bm25 (score = -bm25, so higher is better). bm25 of an OR
 * query is computed for every match, and a common word matches half the store, with an idf near 0.
 * So, when the query has common and rarer terms: rank, by the whole query, only the chunks holding a
 * rarer one; a chunk holding only common terms scores below the sum of their bounds (bm25TermBound),
 * and when that is below the last of the `limit` ranked, those are the top `limit` of every match.
 * Otherwise every match is ranked, as before.
 */
export async function sqliteKeywordSearch(db: Db, scope: SearchScope & { query: string }): Promise<RankedChunk[]> {
  const match = toFtsQuery(scope.query);
  if (!match || scope.vectorStoreIds.length === 0) return [];
  const terms = match.split(' OR ');
  if (terms.length > 1) {
    const pruned = await withoutCommonOnly(db, { ...scope, terms, match });
    if (pruned) return pruned;
  }
  return sqliteFtsSearch(db, { ...scope, match });
}

/** The top `limit` ranked among the chunks holding a rarer term, when provably the top of all; else undefined. */
async function withoutCommonOnly(
  db: Db,
  scope: SearchScope & { terms: string[]; match: string },
): Promise<RankedChunk[] | undefined> {
  const rows = await sqliteMaxChunkId(db);
  const docs = await Promise.all(scope.terms.map((t) => sqliteFtsDocCount(db, t)));
  const common = scope.terms.filter((_, i) => docs[i]! > rows * COMMON_SHARE);
  const rarer = scope.terms.filter((_, i) => docs[i]! <= rows * COMMON_SHARE);
  if (common.length === 0 || rarer.length === 0) return undefined;
  const hits = await sqliteFtsSearch(db, { ...scope, candidates: rarer.join(' OR ') });
  if (hits.length < scope.limit) return undefined;
  const commonOnlyBelow = scope.terms.reduce(
    (sum, t, i) => (common.includes(t) ? sum + bm25TermBound({ docs: docs[i]!, rows }) : sum),
    0,
  );
  return commonOnlyBelow < hits[hits.length - 1]!.score ? hits : undefined;
}

/** The nearest chunks by cosine similarity (score = 1 - cosine distance), one KNN per store, merged. */
export async function sqliteVectorSearch(db: Db, scope: SearchScope & { vector: Float32Array }): Promise<RankedChunk[]> {
  if (scope.vectorStoreIds.length === 0 || !(await hasSqliteVectorTable(db, scope.vector.length))) return [];
  const hits: RankedChunk[] = [];
  for (const vectorStoreId of new Set(scope.vectorStoreIds))
    hits.push(...(await sqliteVectorKnn(db, { tenantId: scope.tenantId, vectorStoreId, vector: scope.vector, limit: scope.limit })));
  return hits.sort((a, b) => b.score - a.score).slice(0, scope.limit);
}
