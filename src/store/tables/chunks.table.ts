import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * One chunk of a file in a vector store, with its embedding. `id` is also the rowid of the SQLite
 * full-text (`chunks_fts`) and vector (`chunk_vec_<dims>`) indexes. PostgreSQL adds a generated
 * `text_tsv` column (not declared here: SQLite has no such column and queries reach it with `sql`).
 */
export interface ChunksTable {
  id: Generated<number>;
  tenant_id: string;
  vector_store_id: string;
  file_id: string;
  /** Position of the chunk in its file, from 0. */
  chunk_index: number;
  text: string;
  tokens: number;
  /** `dims` little-endian float32 values. */
  embedding: Uint8Array;
  dims: number;
}

export type ChunkRow = Selectable<ChunksTable>;
export type NewChunkRow = Insertable<ChunksTable>;
