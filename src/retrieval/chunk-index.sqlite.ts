// SQLite side of the chunk index: FTS5 (bm25) for keywords, sqlite-vec vec0 KNN for vectors.
import type { Db } from '../store/database.js';
import { findChunkRefs } from '../store/repos/chunks.repo.js';
import {
  hasSqliteVectorTable,
  sqliteCountStoreChunks,
  sqliteFtsDocCounts,
  sqliteFtsScores,
  sqliteFtsSearch,
  sqliteFtsState,
  sqliteFtsTop,
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
 * What is known of the keyword index since it last changed (FTS5's structure record says when): document frequencies,
 * exact ones and ones counted only up to `cap`, and scopes' chunk counts (up to the small-scope bound).
 */
interface IndexFacts {
  structure: string;
  exact: Map<string, number>;
  capped: Map<string, number>;
  scopes: Map<string, number>;
}
const indexFacts = new WeakMap<object, IndexFacts>();
/** Terms and scopes remembered per database; past this the counts start over. */
const MAX_CACHED_TERMS = 10_000;

/** The index's row bound (sqliteFtsState) and its facts, in one statement. Not kept inside a transaction, whose writes may yet roll back. */
async function readIndex(db: Db): Promise<{ rows: number; facts: IndexFacts }> {
  const { rows, structure } = await sqliteFtsState(db);
  let facts = db.isTransaction ? undefined : indexFacts.get(db);
  if (!facts || facts.structure !== structure || facts.exact.size + facts.capped.size + facts.scopes.size > MAX_CACHED_TERMS) {
    facts = { structure, exact: new Map(), capped: new Map(), scopes: new Map() };
    if (!db.isTransaction) indexFacts.set(db, facts);
  }
  return { rows, facts };
}

type IndexState = Awaited<ReturnType<typeof readIndex>>;

/**
 * An upper bound of the rows FTS5 counts, and each term's document frequency (with `capped`, counted only up to the
 * common share, which is all classifying needs). Counted in one statement for the terms not counted since the index
 * last changed: a common word's count reads its whole posting list, ~1 ms per 20k chunks.
 */
export async function termDocs(
  db: Db,
  terms: readonly string[],
  opts: { capped?: boolean; index?: IndexState } = {},
): Promise<{ rows: number; docs: number[] }> {
  const { rows, facts } = opts.index ?? (await readIndex(db));
  const { exact, capped } = facts;
  const known = (t: string) => exact.get(t) ?? (opts.capped ? capped.get(t) : undefined);
  const cap = opts.capped ? Math.floor(rows * COMMON_SHARE) + 1 : undefined;
  const missing = [...new Set(terms.filter((t) => known(t) === undefined))];
  const counted = await sqliteFtsDocCounts(db, missing, cap);
  counted.forEach((n, i) => (cap === undefined || n < cap ? exact : capped).set(missing[i]!, n));
  return { rows, docs: terms.map((t) => known(t)!) };
}

/**
 * Whether the scope holds under SMALL_SCOPE_SHARE of the index's rows: counted (up to that bound) once per scope
 * while the index is unchanged, so a cached answer costs no statement.
 */
async function isSmallScope(db: Db, scope: SearchScope, { rows, facts }: IndexState): Promise<boolean> {
  const cap = Math.floor(rows * SMALL_SCOPE_SHARE) + 1;
  const key = `${scope.tenantId}\u0000${[...scope.vectorStoreIds].sort().join('\u0000')}`;
  let n = facts.scopes.get(key);
  if (n === undefined) {
    n = await sqliteCountStoreChunks(db, { vectorStoreIds: scope.vectorStoreIds, cap });
    facts.scopes.set(key, n);
  }
  return n < cap;
}

/** A query's terms split by document frequency, and the most the common ones can add to a chunk's score together. */
interface TermSplit {
  common: string[];
  rarer: string[];
  commonBound: number;
}

/** The query's terms held by more than the common share of the chunks, and the others. */
async function splitTerms(db: Db, terms: readonly string[], opts: { capped: boolean; index: IndexState }): Promise<TermSplit> {
  const { rows, docs } = await termDocs(db, terms, opts);
  const isCommon = (i: number) => docs[i]! > rows * COMMON_SHARE;
  return {
    common: terms.filter((_, i) => isCommon(i)),
    rarer: terms.filter((_, i) => !isCommon(i)),
    commonBound: terms.reduce((sum, _, i) => (isCommon(i) ? sum + bm25TermBound({ docs: docs[i]!, rows }) : sum), 0),
  };
}

export interface KeywordSearchOptions extends SearchScope {
  query: string;
  /**
   * Hybrid's keyword half (rankByRarer): when the query has common terms too, rank the chunks holding a rarer one by the
   * rarer terms, and only the best window of them by the whole query. Not exact (a chunk below the window that a common
   * term would lift is missed), but fused a keyword score counts only relative to the best one, squared; it skips scoring
   * thousands of chunks against the common terms' long posting lists (labelled set: MRR unchanged).
   */
  windowed?: boolean;
}

/**
 * Chunks matching any word of the query, by bm25 (score = -bm25, so higher is better). bm25 of an OR query is
 * computed for every match, and a common word matches half the store, with an idf near 0. So, when the query has
 * common and rarer terms: rank, by the whole query, only the chunks holding a rarer one; a chunk holding only common
 * terms scores below the sum of their bounds (bm25TermBound), and when that is below the last of the `limit` ranked,
 * those are the top `limit` of every match. Otherwise every match is ranked, as before. `windowed`: see above.
 */
export async function sqliteKeywordSearch(db: Db, scope: KeywordSearchOptions): Promise<RankedChunk[]> {
  const match = toFtsQuery(scope.query);
  if (!match || scope.vectorStoreIds.length === 0) return [];
  const terms = match.split(' OR ');
  const index = await readIndex(db);
  const small = await isSmallScope(db, scope, index);
  if (terms.length > 1) {
    const split = await splitTerms(db, terms, { capped: scope.windowed === true, index });
    if (split.common.length > 0 && split.rarer.length > 0) {
      if (scope.windowed) return rankByRarer(db, { ...scope, ...split, match, small });
      const pruned = await withoutCommonOnly(db, { ...scope, ...split, match });
      if (pruned) return pruned;
    }
  }
  return rankInScope(db, { ...scope, match, small });
}

/** The top `limit` ranked among the in-scope chunks holding a rarer term, when provably the top of all; else undefined. */
async function withoutCommonOnly(
  db: Db,
  scope: SearchScope & { rarer: string[]; commonBound: number; match: string },
): Promise<RankedChunk[] | undefined> {
  const hits = await sqliteFtsSearch(db, { ...scope, candidates: scope.rarer.join(' OR ') });
  if (hits.length < scope.limit) return undefined;
  return scope.commonBound < hits[hits.length - 1]!.score ? hits : undefined;
}

/** How many of the whole index's best matches rankInScope reads, per result wanted. */
const WINDOW_PER_RESULT = 4;
/**
 * A scope under this share of the index's rows is ranked by itself (sqliteFtsSearch) at once: the index's best
 * limit × WINDOW_PER_RESULT would hold, on average, fewer than `limit` of its chunks, and ranking them first is
 * then work thrown away (a small store of one tenant in a database shared by many).
 */
const SMALL_SCOPE_SHARE = 1 / WINDOW_PER_RESULT;

/** Where the search runs, the query, and whether the scope is small (isSmallScope). */
type MatchScope = SearchScope & { match: string; small: boolean };

/**
 * The best `limit` × WINDOW_PER_RESULT in-scope matches of `match`, best first: ranked over the whole index with the
 * scope checked on that many only (exact when at least `limit` of them are in scope, or they are every match), else,
 * or straight away for a small scope, by sqliteFtsSearch, which checks every match's scope. One vector store per database, or a few large ones, is the
 * common case; checking the scope of each of thousands of matches cost as much as ranking them.
 */
async function windowInScope(db: Db, scope: MatchScope): Promise<Array<{ id: number; score: number }>> {
  const window = scope.limit * WINDOW_PER_RESULT;
  if (scope.small) return sqliteFtsSearch(db, { ...scope, limit: window });
  const top = await sqliteFtsTop(db, { ...scope, limit: window });
  const inScope = top.filter((r) => r.inScope);
  if (inScope.length < scope.limit && top.length === window) return sqliteFtsSearch(db, { ...scope, limit: window });
  return inScope;
}

/** The top `limit` in-scope matches of `match` (windowInScope), with where each chunk is. */
async function rankInScope(db: Db, scope: MatchScope): Promise<RankedChunk[]> {
  return withRefs(db, scope.tenantId, (await windowInScope(db, scope)).slice(0, scope.limit));
}

/**
 * Hybrid's keyword half: the chunks holding a rarer term, ranked by the rarer terms (bm25 is a sum over terms, each
 * term's share depending on its own document frequency, the chunk's length and the average length only), then the
 * window of them (windowInScope: the in-scope ones among the index's best `limit` × 4, or the scope's best) re-ranked
 * by their bm25 of the whole query (one more pass, over the window's chunks holding a common term). Chunks holding
 * only common terms, and those below the window, are not ranked, unless the window holds fewer than `limit`: then
 * every match is.
 */
async function rankByRarer(db: Db, s: MatchScope & TermSplit): Promise<RankedChunk[]> {
  const window = await windowInScope(db, { ...s, match: s.rarer.join(' OR ') });
  if (window.length < s.limit) return rankInScope(db, s); // chunks holding only common terms fill the rest
  // bm25 of (common) AND (rarer) is the whole query's for a chunk holding both: each term once in the expression; the
  // AND skips through the common terms' long lists instead of reading them (a chunk without a common term keeps S_r).
  const match = `(${s.common.join(' OR ')}) AND (${s.rarer.join(' OR ')})`;
  const whole = new Map((await sqliteFtsScores(db, { match, ids: window.map((r) => r.id) })).map((r) => [r.id, r.score]));
  const best = window.map((r) => ({ id: r.id, score: whole.get(r.id) ?? r.score })).sort((a, b) => b.score - a.score || a.id - b.id);
  return withRefs(db, s.tenantId, best.slice(0, s.limit));
}

async function withRefs(db: Db, tenantId: string, hits: ReadonlyArray<{ id: number; score: number }>): Promise<RankedChunk[]> {
  const refs = new Map((await findChunkRefs(db, tenantId, hits.map((b) => b.id))).map((r) => [r.id, r]));
  return hits.flatMap((b) => {
    const ref = refs.get(b.id);
    return ref ? [{ ...ref, score: b.score }] : [];
  });
}

/** The nearest chunks by cosine similarity (score = 1 - cosine distance), one KNN per store, merged. */
export async function sqliteVectorSearch(db: Db, scope: SearchScope & { vector: Float32Array }): Promise<RankedChunk[]> {
  if (scope.vectorStoreIds.length === 0 || !(await hasSqliteVectorTable(db, scope.vector.length))) return [];
  const hits: RankedChunk[] = [];
  for (const vectorStoreId of new Set(scope.vectorStoreIds))
    hits.push(...(await sqliteVectorKnn(db, { tenantId: scope.tenantId, vectorStoreId, vector: scope.vector, limit: scope.limit })));
  return hits.sort((a, b) => b.score - a.score).slice(0, scope.limit);
}
