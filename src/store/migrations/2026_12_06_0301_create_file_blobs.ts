import { SqliteAdapter, type Kysely } from 'kysely';

/**
 * Issue 14 item 5, more than one instance:
 * - `file_blobs`: uploaded files' bytes in the database (SWITCHBOARD_FILE_STORE=database, the default on
 *   PostgreSQL), 1 MiB chunks numbered from 0, so every instance reads them and none holds a file whole.
 * - `code_interpreter_files`: the files a thread's code_interpreter session wrote to /mnt/data, by path, as
 *   the Files they became; a session started on another instance (or after a restart) gets them back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('file_blobs')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('data', sqlite ? 'blob' : 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('file_blobs_pk', ['key', 'n'])
    .execute();
  await db.schema
    .createTable('code_interpreter_files')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('code_interpreter_files_pk', ['tenant_id', 'thread_id', 'path'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('code_interpreter_files').execute();
  await db.schema.dropTable('file_blobs').execute();
}
