/** One piece of a file's text, as indexed for file_search. */
export interface Chunk {
  /** Position of the chunk in its file, from 0. */
  index: number;
  text: string;
  tokens: number;
}

/** A search result: a chunk of a file in a vector store, with OpenAI's [0, 1] score. */
export interface SearchHit {
  vectorStoreId: string;
  fileId: string;
  chunkIndex: number;
  text: string;
  score: number;
}

/** Which chunks a search may return: one tenant's, in these vector stores; at most `limit` of them. */
export interface SearchScope {
  tenantId: string;
  vectorStoreIds: readonly string[];
  limit: number;
}

/** A chunk found by one ranker (keyword or vector), best first; `score` is that ranker's own. */
export interface RankedChunk {
  /** chunks.id */
  id: number;
  vectorStoreId: string;
  fileId: string;
  chunkIndex: number;
  /** keyword: -bm25 (SQLite) or ts_rank (PostgreSQL); vector: cosine similarity. Higher is better. */
  score: number;
}
