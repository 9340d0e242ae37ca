import type { Db } from '../database.js';

/**
 * Stored files' bytes as numbered chunks (storage/database-file-storage.ts cuts and joins them).
 * writeBlob inserts each chunk as it arrives, all in one transaction: a failed or aborted upload
 * (or a crash) leaves no row behind, and a reader never sees a file with only some of its chunks.
 */
export async function writeBlob(db: Db, key: string, chunks: AsyncIterable<Buffer>): Promise<void> {
  const write = async (trx: Db) => {
    // A key written again replaces what it held.
    await trx.deleteFrom('file_blobs').where('key', '=', key).execute();
    let n = 0;
    for await (const data of chunks) await trx.insertInto('file_blobs').values({ key, n: n++, data }).execute();
  };
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
}

/** Chunk `n` of `key`, undefined past the last one (or when the key has none). */
export async function readBlobChunk(db: Db, key: string, n: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('file_blobs').select('data').where('key', '=', key).where('n', '=', n).executeTakeFirst();
  return row?.data;
}

export async function deleteBlob(db: Db, key: string): Promise<void> {
  await db.deleteFrom('file_blobs').where('key', '=', key).execute();
}
