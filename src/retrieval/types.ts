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

/** Which chunks a search may return, and what one ranker finds: the chunk index's queries (store/repos). */
export type { ChunkScope as SearchScope, RankedChunk } from '../store/repos/chunks.repo.js';
