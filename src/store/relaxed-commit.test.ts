import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import type { Database } from './database.js';
import { migrateToLatest, openDb, type Store } from './open-db.js';
import { relaxedCommits } from './relaxed-commit.js';

/** How the connection that runs the query commits: SQLite's `synchronous` (1 NORMAL, 2 FULL), PostgreSQL's `synchronous_commit`. */
async function commitMode(db: Kysely<Database>, dialect: string): Promise<string> {
  if (dialect === 'postgres') return String((await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]!.synchronous_commit);
  return String((await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]!.synchronous);
}

const THREAD = { tenant_id: 't', seq: 1, created_at: 1, metadata: '{}', tool_resources: null };

for (const dialect of testDialects()) {
  describe(`relaxedCommits (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const relaxed = '1 off'.split(' ')[dialect === 'postgres' ? 1 : 0]!;
    const durable = '2 on'.split(' ')[dialect === 'postgres' ? 1 : 0]!;

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      // The test cluster commits asynchronously by default (fast tests): this store's sessions wait, as production's do.
      store = openDb(dialect === 'postgres' ? `${created.url}?options=${encodeURIComponent('-c synchronous_commit=on')}` : created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
    });
    after(async () => {
      await store.close();
      await drop();
    });

    it('should commit the writes of one transaction without waiting for the disk, and wait again for every other commit', async () => {
      assert.equal(await commitMode(store.db, dialect), durable);
      const write = relaxedCommits(store.db, dialect);
      const inside = await write(async (trx) => {
        await trx.insertInto('threads').values({ id: 'thread_relaxed', ...THREAD }).execute();
        return commitMode(trx, dialect);
      });
      assert.equal(inside, relaxed);
      assert.equal(await commitMode(store.db, dialect), durable);
      const row = await store.db.selectFrom('threads').select('id').where('id', '=', 'thread_relaxed').executeTakeFirst();
      assert.deepEqual(row, { id: 'thread_relaxed' });
    });

    it('should roll the transaction back when it throws, and leave commits durable', async () => {
      const write = relaxedCommits(store.db, dialect);
      await assert.rejects(
        write(async (trx) => {
          await trx.insertInto('threads').values({ id: 'thread_rolled_back', ...THREAD }).execute();
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.db.selectFrom('threads').select('id').where('id', '=', 'thread_rolled_back').executeTakeFirst(), undefined);
      assert.equal(await commitMode(store.db, dialect), durable);
    });
  });
}
