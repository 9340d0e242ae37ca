import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { compiledQuery } from './compiled-query.js';
import { migrateToLatest, openDb, type Store } from './open-db.js';

const threadsOf = compiledQuery((db, p: { tenantId: string; seq: number }) =>
  db.selectFrom('threads').select(['id', 'seq']).where('tenant_id', '=', p.tenantId).where('seq', '>', p.seq).orderBy('seq'),
);
const setMetadata = compiledQuery((db, p: { id: string; metadata: string }) =>
  db.updateTable('threads').set({ metadata: p.metadata }).where('id', '=', p.id).returning(['id', 'metadata']),
);

for (const dialect of testDialects()) {
  describe(`compiledQuery (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      const row = (id: string, tenant: string, seq: number) => ({ id, tenant_id: tenant, seq, created_at: 1, metadata: '{}', tool_resources: null });
      await store.db.insertInto('threads').values([row('thread_a', 't1', 1), row('thread_b', 't1', 2), row('thread_c', 't2', 3)]).execute();
    });
    after(async () => {
      await store.close();
      await drop();
    });

    it('should run one compiled query with each call’s values, in the slots’ places', async () => {
      assert.deepEqual(await threadsOf(store.db, { tenantId: 't1', seq: 0 }), [
        { id: 'thread_a', seq: 1 },
        { id: 'thread_b', seq: 2 },
      ]);
      assert.deepEqual(await threadsOf(store.db, { seq: 1, tenantId: 't1' }), [{ id: 'thread_b', seq: 2 }]);
      assert.deepEqual(await threadsOf(store.db, { tenantId: 't2', seq: 0 }), [{ id: 'thread_c', seq: 3 }]);
    });

    it('should write with it inside a transaction', async () => {
      const rows = await store.db.transaction().execute((trx) => setMetadata(trx, { id: 'thread_a', metadata: '{"k":"v"}' }));
      assert.deepEqual(rows, [{ id: 'thread_a', metadata: '{"k":"v"}' }]);
    });
  });
}
