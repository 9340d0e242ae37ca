import type { Selectable } from 'kysely';

/** How often a vector store's chunks changed: read by the in-memory vector indexes to know when to catch up. */
export interface ChunkIndexVersionsTable {
  vector_store_id: string;
  tenant_id: string;
  /** Bumped by every insert or delete of the store's chunks. */
  version: number;
  /** Bumped by every delete of some of the store's chunks. */
  deletes: number;
}

export type ChunkIndexVersionRow = Selectable<ChunkIndexVersionsTable>;
