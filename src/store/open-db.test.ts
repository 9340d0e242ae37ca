import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { until } from '../../test/support/until.js';
import { openDb } from './open-db.js';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.SWITCHBOARD_TEST_PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const backends = (name: string) =>
  admin(async (c) => (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows.map((r) => r.pid));

// The pool's connections exist only on PostgreSQL.
if (testDialects().includes('postgres')) {
  describe('openDb (postgres)', () => {
    let db: { url: string; drop(): Promise<void> };
    let name: string;
    before(async () => {
      db = await createTestDatabaseUrl('postgres');
      name = new URL(db.url).pathname.slice(1);
    });
    after(() => db.drop());

    it('should have closed every connection when close() resolves, so the database can be dropped at once', async () => {
      const store = openDb(db.url);
      await Promise.all([1, 2, 3].map(() => sql`SELECT pg_sleep(0.05)`.execute(store.db)));
      assert.ok((await backends(name)).length >= 1);
      await store.close();
      assert.deepEqual(await backends(name), []);
    });

    it('should survive the server ending an idle connection, and use a new one', async () => {
      const store = openDb(db.url);
      try {
        await sql`SELECT 1`.execute(store.db);
        const [pid] = await backends(name);
        await admin((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
        // An 'error' nobody listens to on the pool would be an uncaught exception here.
        const ok = await until(
          () => sql<{ one: number }>`SELECT 1 AS one`.execute(store.db).then((r) => r.rows[0]?.one === 1, () => false),
          (v) => v,
        );
        assert.equal(ok, true);
        assert.ok(!(await backends(name)).includes(pid!));
      } finally {
        await store.close();
      }
    });
  });
}
