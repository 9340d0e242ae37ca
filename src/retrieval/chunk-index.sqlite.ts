// SQLite side of the chunk index: FTS5 (bm25) for keywords, sqlite-vec vec0 KNN for vectors.
import type { Db } from '../store/database.js';
import { hasSqliteVectorTable, sqliteFtsSearch, sqliteVectorKnn } from '../store/repos/chunks-sqlite.repo.js';
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

/** Chunks matching any word of the query, by bm25 (score = -bm25, so higher is better). */
export async function sqliteKeywordSearch(db: Db, scope: SearchScope & { query: string }): Promise<RankedChunk[]> {
  const match = toFtsQuery(scope.query);
  if (!match || scope.vectorStoreIds.length === 0) return [];
  return sqliteFtsSearch(db, { ...scope, match });
}

/** The nearest chunks by cosine similarity (score = 1 - cosine distance), one KNN per store, merged. */
export async function sqliteVectorSearch(db: Db, scope: SearchScope & { vector: Float32Array }): Promise<RankedChunk[]> {
  if (scope.vectorStoreIds.length === 0 || !(await hasSqliteVectorTable(db, scope.vector.length))) return [];
  const hits: RankedChunk[] = [];
  for (const vectorStoreId of new Set(scope.vectorStoreIds))
    hits.push(...(await sqliteVectorKnn(db, { tenantId: scope.tenantId, vectorStoreId, vector: scope.vector, limit: scope.limit })));
  return hits.sort((a, b) => b.score - a.score).slice(0, scope.limit);
}
