import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabaseUrl, testDialects } from './databases.js';

for (const dialect of testDialects()) {
  describe(`databases (${dialect})`, () => {
    it('creates a database that accepts queries, and drops it', async () => {
      const { url, drop } = await createTestDatabaseUrl(dialect);

      if (dialect === 'sqlite') {
        const db = new SQLite(url);
        assert.deepEqual(db.prepare('select 1 as one').get(), { one: 1 });
        db.close();
        await drop();
        assert.equal(existsSync(url), false);
        return;
      }

      // Left open on purpose: drop() must terminate connections still attached.
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {}); // the forced termination surfaces here
      await client.connect();
      assert.deepEqual((await client.query('select 1 as one')).rows, [{ one: 1 }]);
      await drop();

      const name = new URL(url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: process.env.SWITCHBOARD_TEST_PG_URL });
      await admin.connect();
      try {
        const { rows } = await admin.query('select 1 from pg_database where datname = $1', [name]);
        assert.equal(rows.length, 0, `database ${name} still exists`);
      } finally {
        await admin.end();
      }
    });
  });
}
