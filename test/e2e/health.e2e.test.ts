import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { openDb } from '../../src/store/open-db.js';
import { migrations } from '../../src/store/migrations/index.js';
import { readiness } from '../../src/services/health.service.js';
import type { Database } from '../../src/store/database.js';
import type { Store } from '../../src/store/open-db.js';

const get = async (app: TestApp, path: string) => {
  const res = await fetch(`${app.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

for (const dialect of testDialects()) {
  describe(`/health and /ready (${dialect})`, () => {
    let app: TestApp;
    before(async () => {
      app = await createTestApp({ dialect });
    });
    after(() => app.close());

    it('should answer /health without a key', async () => {
      assert.deepEqual(await get(app, '/health'), { status: 200, body: { status: 'ok' } });
    });

    it('should answer /ready without a key once the database answers and is migrated', async () => {
      assert.deepEqual(await get(app, '/ready'), { status: 200, body: { status: 'ready', database: 'ok' } });
    });

    it('should answer /ready 503 naming a migration the database lacks', async () => {
      const last = Object.keys(migrations).at(-1)!;
      const store = openDb(app.databaseUrl);
      try {
        await sql`delete from kysely_migration where name = ${last}`.execute(store.db);
        assert.deepEqual(await get(app, '/ready'), {
          status: 503,
          body: { status: 'not_ready', database: 'migrations_pending', detail: `not applied: ${last}` },
        });
      } finally {
        await store.close();
      }
    });
  });
}

describe('readiness', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let db: Kysely<Database>;
  before(async () => {
    // A "database" that accepts connections and never answers.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: `postgres://u:p@127.0.0.1:${port}/db` }) }) });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await db.destroy().catch(() => undefined);
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('should call a database that does not answer within the timeout unreachable', async () => {
    const store = { db, dialect: 'postgres', close: async () => {} } satisfies Store;
    assert.deepEqual(await readiness({ store }, 200), { ready: false, database: 'unreachable', detail: 'no answer within 200 ms' });
  });
});
