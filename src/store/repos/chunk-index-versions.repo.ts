import type { Db } from '../database.js';
import type { ChunkIndexVersionRow } from '../tables/chunk-index-versions.table.js';

/** One tenant's vector store. */
export interface StoreKey {
  tenantId: string;
  vectorStoreId: string;
}

/**
 * Bumps the store's version before chunks are added, creating its row on first use.
 * Call it before inserting chunks, in the same transaction: on PostgreSQL the row lock it takes orders the
 * store's writers, so their chunk ids grow in commit order.
 */
export async function bumpChunkIndexVersion(db: Db, key: StoreKey): Promise<void> {
  await db
    .insertInto('chunk_index_versions')
    .values({ vector_store_id: key.vectorStoreId, tenant_id: key.tenantId, version: 1, deletes: 0 })
    .onConflict((oc) =>
      oc.column('vector_store_id').doUpdateSet((eb) => ({ version: eb('chunk_index_versions.version', '+', 1) })),
    )
    .execute();
}

/** The store's versions; undefined when it never held chunks. */
export function findChunkIndexVersion(db: Db, key: StoreKey): Promise<ChunkIndexVersionRow | undefined> {
  return db
    .selectFrom('chunk_index_versions')
    .selectAll()
    .where('vector_store_id', '=', key.vectorStoreId)
    .where('tenant_id', '=', key.tenantId)
    .executeTakeFirst();
}

/** Counts a delete of some of the store's chunks (its row exists: the chunks were added through bumpChunkIndexVersion). */
export async function countChunkDelete(db: Db, vectorStoreId: string): Promise<void> {
  await db
    .updateTable('chunk_index_versions')
    .set((eb) => ({ version: eb('version', '+', 1), deletes: eb('deletes', '+', 1) }))
    .where('vector_store_id', '=', vectorStoreId)
    .execute();
}
