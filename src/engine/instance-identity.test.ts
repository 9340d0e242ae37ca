import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../logger.js';
import { openDb } from '../store/open-db.js';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { claimInstanceIdentity } from './instance-identity.js';
import { until } from '../../test/support/until.js';
import { sql } from 'kysely';

const log = createLogger('silent');

describe('claimInstanceIdentity', () => {
  it('should keep one id in the data dir across restarts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sb-id-')), 'instance-id');
    const claim = () => claimInstanceIdentity({ file, databaseUrl: undefined, dialect: 'sqlite', log, checkMs: 1_000, onLost: () => {} });
    const first = await claim();
    await first.release();
    const second = await claim();
    assert.equal(second.id, first.id);
    assert.equal(readFileSync(file, 'utf8').trim(), first.id);
    assert.equal(second.exclusive, true);
  });

  if (testDialects().includes('postgres')) {
    it('should give a second live process on the same data dir a fresh id, and the id back once the first is gone (PostgreSQL)', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'sb-id-')), 'instance-id');
      const db = await createTestDatabaseUrl('postgres');
      const b = openDb(db.url);
      try {
        const lost: unknown[] = [];
        const claim = () =>
          claimInstanceIdentity({ file, databaseUrl: db.url, dialect: 'postgres', log, checkMs: 50, onLost: (err) => lost.push(err) });
        const first = await claim();
        const second = await claim();
        assert.equal(first.exclusive, true);
        assert.equal(second.exclusive, false);
        assert.notEqual(second.id, first.id);
        // The first process's session ends (as when it is killed): its id is free for the restart.
        await sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted`.execute(b.db);
        await until(async () => lost.length, (n) => n > 0);
        assert.equal(lost.length, 1, 'the first learns it lost its id');
        const restarted = await claim();
        assert.equal(restarted.exclusive, true);
        assert.equal(restarted.id, first.id);
        await restarted.release();
      } finally {
        await b.close();
        await db.drop();
      }
    });
  }
});
