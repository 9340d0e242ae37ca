// PostgreSQL side of the chunk index: full text (tsvector + GIN) for keywords; the vectors of a store, read
// for retrieval/vector-cache.ts's exact scan.
import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { ChunkScope, RankedChunk } from './chunks.repo.js';

/** Embeddings read per query. */
const LOAD_BATCH = 5000;

/** A tsquery literal matching chunks holding all lexemes of any group (quotes and backslashes doubled: inert). */
function anyGroup(groups: readonly (readonly string[])[]): string {
  const lexeme = (l: string) => `'${l.replace(/['\\]/g, (ch) => ch + ch)}'`;
  return groups.map((g) => `(${g.map(lexeme).join(' & ')})`).join(' | ');
}

export interface FullTextScope extends ChunkScope {
  query: string;
  /**
   * Only chunks holding every lexeme of one of these groups (default: any lexeme of the query); still ranked
   * by the whole query.
   */
  matching?: readonly (readonly string[])[];
  /** Only chunks of at most this many distinct lexemes (the expression index `chunks_tsv_length`). */
  maxLexemes?: number;
}

/**
 * Chunks matching any word of the query (its lexemes OR-ed), by ts_rank normalised by document
 * length (rank / (1 + log length)); ts_rank_cd ranks OR queries ~8× slower. Ties: lower id first.
 */
export async function pgFullTextSearch(db: Db, scope: FullTextScope): Promise<RankedChunk[]> {
  const match = scope.matching ? sql`${anyGroup(scope.matching)}::tsquery` : sql`q.q`;
  const short = scope.maxLexemes === undefined ? sql`` : sql`and length(c.text_tsv) <= ${scope.maxLexemes}`;
  // plainto_tsquery parses any text safely (stemming, stop words) but ANDs the words; OR them instead.
  const { rows } = await sql<RankedChunk>`
    with q as (select replace(plainto_tsquery('english', ${scope.query})::text, ' & ', ' | ')::tsquery as q)
    select c.id, c.vector_store_id as "vectorStoreId", c.file_id as "fileId", c.chunk_index as "chunkIndex",
      ts_rank(c.text_tsv, q.q, 1) as score
    from chunks c, q
    where c.text_tsv @@ ${match} ${short} and c.tenant_id = ${scope.tenantId}
      and c.vector_store_id = any(${[...scope.vectorStoreIds]}::text[])
    order by score desc, c.id
    limit ${scope.limit}`.execute(db);
  return rows;
}

/**
 * Of `lexemes`, those ANALYZE last found in at least `minShare` (0..1) of the chunks: the
 * most_common_elems statistics of `text_tsv` (none before the table's first ANALYZE).
 */
export async function pgCommonLexemes(db: Db, lexemes: readonly string[], minShare: number): Promise<string[]> {
  if (lexemes.length === 0) return [];
  const { rows } = await sql<{ lexeme: string }>`
    select e.lexeme from pg_stats s,
      unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs[1:array_length(s.most_common_elems, 1)]) as e(lexeme, share)
    where s.schemaname = current_schema() and s.tablename = 'chunks' and s.attname = 'text_tsv'
      and e.lexeme = any(${[...lexemes]}::text[]) and e.share >= ${minShare}`.execute(db);
  return rows.map((r) => r.lexeme);
}

/** One tenant's vector store. */
export interface ChunkStoreKey {
  tenantId: string;
  vectorStoreId: string;
}

const inStore = (key: ChunkStoreKey) => sql`c.vector_store_id = ${key.vectorStoreId} and c.tenant_id = ${key.tenantId}`;

/** A value that changes whenever the store's chunks do (count, max and sum of ids). */
export async function pgChunkStamp(db: Db, key: ChunkStoreKey): Promise<string> {
  const { rows } = await sql<{ n: number; mx: number; s: number }>`
    select count(*)::int as n, coalesce(max(c.id), 0) as mx, coalesce(sum(c.id), 0) as s
    from chunks c where ${inStore(key)}`.execute(db);
  const { n, mx, s } = rows[0]!;
  return `${n}:${mx}:${s}`;
}

/** The ids of the store's chunks embedded with `dims` dimensions, ascending. */
export async function pgChunkIds(db: Db, key: ChunkStoreKey & { dims: number }): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select c.id from chunks c where ${inStore(key)} and c.dims = ${key.dims} order by c.id`.execute(db);
  return rows.map((r) => r.id);
}

/** The embeddings of these chunks of the store, by id (a chunk deleted meanwhile is missing). */
export async function pgChunkEmbeddings(db: Db, key: ChunkStoreKey, ids: readonly number[]): Promise<Map<number, Uint8Array>> {
  const out = new Map<number, Uint8Array>();
  for (let i = 0; i < ids.length; i += LOAD_BATCH) {
    // base64 text decodes ~2× faster in Node than bytea's hex.
    const { rows } = await sql<{ id: number; b64: string }>`
      select c.id, encode(c.embedding, 'base64') as b64 from chunks c
      where c.id = any(${ids.slice(i, i + LOAD_BATCH)}::bigint[]) and ${inStore(key)}`.execute(db);
    for (const row of rows) out.set(row.id, Buffer.from(row.b64, 'base64'));
  }
  return out;
}

/** Where the tenant's chunks with these ids are (a chunk deleted meanwhile is missing). */
export async function pgChunkRefs(
  db: Db,
  tenantId: string,
  ids: readonly number[],
): Promise<Array<Omit<RankedChunk, 'score'>>> {
  const { rows } = await sql<Omit<RankedChunk, 'score'>>`
    select c.id, c.vector_store_id as "vectorStoreId", c.file_id as "fileId", c.chunk_index as "chunkIndex"
    from chunks c where c.id = any(${[...ids]}::bigint[]) and c.tenant_id = ${tenantId}`.execute(db);
  return rows;
}

/** One chunk's tsvector in its text form (read by retrieval/tsvector-text.ts), for retrieval/keyword-index.ts. */
export interface PgChunkTsvector {
  id: number;
  fileId: string;
  chunkIndex: number;
  tsv: string;
}

// The server prints a tsvector ~10× faster than it unnests one into arrays (EXPLAIN ANALYZE, 1,000 chunks).
const tsvectorsOf = sql`select c.id, c.file_id as "fileId", c.chunk_index as "chunkIndex", c.text_tsv::text as tsv from chunks c`;

/** The store's chunks with ids above `afterId`, ascending, at most `limit`, with their tsvectors. */
export async function pgChunkTsvectorsAfter(
  db: Db,
  key: ChunkStoreKey & { afterId: number; limit: number },
): Promise<PgChunkTsvector[]> {
  const { rows } = await sql<PgChunkTsvector>`${tsvectorsOf}
    where ${inStore(key)} and c.id > ${key.afterId} order by c.id limit ${key.limit}`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** These chunks of the store with their tsvectors (a chunk deleted meanwhile is missing). */
export async function pgChunkTsvectorsByIds(db: Db, key: ChunkStoreKey, ids: readonly number[]): Promise<PgChunkTsvector[]> {
  const out: PgChunkTsvector[] = [];
  for (let i = 0; i < ids.length; i += LOAD_BATCH) {
    const { rows } = await sql<PgChunkTsvector>`${tsvectorsOf}
      where ${inStore(key)} and c.id = any(${ids.slice(i, i + LOAD_BATCH)}::bigint[])`.execute(db);
    for (const r of rows) out.push({ ...r, id: Number(r.id) });
  }
  return out;
}

/** What a keyword search needs first, in one round trip: the query's lexemes and each store's index versions. */
export interface PgKeywordProbe {
  lexemes: string[];
  versions: Map<string, { version: number; deletes: number }>;
}

/** The query's distinct lexemes under the 'english' configuration (those plainto_tsquery ORs) and the chunk_index_versions rows of the tenant's stores. */
export async function pgKeywordProbe(db: Db, scope: ChunkScope & { query: string }): Promise<PgKeywordProbe> {
  const { rows } = await sql<{ lexemes: string[]; versions: Array<[string, number, number]> }>`
    select array(select unnest(tsvector_to_array(to_tsvector('english', ${scope.query})))) as lexemes,
      coalesce((select json_agg(json_build_array(v.vector_store_id, v.version, v.deletes))
        from chunk_index_versions v
        where v.tenant_id = ${scope.tenantId} and v.vector_store_id = any(${[...scope.vectorStoreIds]}::text[])), '[]') as versions`.execute(db);
  const row = rows[0]!;
  return { lexemes: row.lexemes, versions: new Map(row.versions.map(([id, version, deletes]) => [id, { version, deletes }])) };
}
