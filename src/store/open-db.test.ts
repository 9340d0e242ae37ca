import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('openDb (sqlite) beside another process on the same file', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'sb-open-db-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Another process (the `switchboard keys` CLI beside a server) takes the write lock and holds it for `ms`. */
  async function holdWriteLock(path: string, ms: number): Promise<void> {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = require(${JSON.stringify(sqlite)})(${JSON.stringify(path)});
         db.exec('BEGIN IMMEDIATE'); db.exec('INSERT INTO t VALUES (1)'); process.stdout.write('locked\\n');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(holder.stdout!, 'data');
  }

  it("should wait for the other process's write lock in a transaction that reads, then writes (not fail at its first write)", async () => {
    const path = join(dir, 'busy.db');
    const store = openDb(path);
    try {
      await sql`CREATE TABLE t (n INTEGER)`.execute(store.db);
      await holdWriteLock(path, 300);
      // A deferred BEGIN reads a snapshot, then cannot upgrade it while the lock is held: SQLite answers
      // SQLITE_BUSY at once, without its busy timeout (a read transaction never waits to become a write one).
      const seen = await store.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(trx);
        await sql`INSERT INTO t VALUES (2)`.execute(trx);
        return rows[0]!.n;
      });
      assert.equal(seen, 1, "the transaction began after the other process's commit");
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(store.db);
      assert.equal(rows[0]!.n, 2);
    } finally {
      await store.close();
    }
  });
});
