import type { Db } from '../database.js';
import type { CodeInterpreterFileRow } from '../tables/file-blobs.table.js';

/** Remembers that the thread's session wrote `path` as the File `file_id` (a later write of the path replaces it). */
export async function recordSessionFile(db: Db, row: CodeInterpreterFileRow): Promise<void> {
  await db
    .insertInto('code_interpreter_files')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'thread_id', 'path']).doUpdateSet({ file_id: row.file_id, created_at: row.created_at }))
    .execute();
}

/** The files the thread's session wrote, oldest first. */
export function listSessionFiles(db: Db, tenantId: string, threadId: string): Promise<CodeInterpreterFileRow[]> {
  return db
    .selectFrom('code_interpreter_files')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('thread_id', '=', threadId)
    .orderBy('created_at')
    .orderBy('path')
    .execute();
}
