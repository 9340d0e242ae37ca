import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { compiledInsert, compiledQuery } from './compiled-query.js';
import type { NewThreadRow } from './tables/threads.table.js';
import { migrateToLatest, openDb, type Store } from './open-db.js';

const threadsOf = compiledQuery((db, p: { tenantId: string; seq: number }) =>
  db.selectFrom('threads').select(['id', 'seq']).where('tenant_id', '=', p.tenantId).where('seq', '>', p.seq).orderBy('seq'),
);
const setMetadata = compiledQuery((db, p: { id: string; metadata: string }) =>
  db.updateTable('threads').set({ metadata: p.metadata }).where('id', '=', p.id).returning(['id', 'metadata']),
);

const insertThread = compiledInsert((db, row: NewThreadRow) => db.insertInto('threads').values(row).returningAll());

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

    it('should insert rows of each column set given, leaving out undefined values (their columns take their defaults)', async () => {
      const base = { tenant_id: 't3', created_at: 1, metadata: '{}', tool_resources: null };
      const hidden = await insertThread(store.db, { ...base, id: 'thread_d', seq: 4, hidden: 1 });
      const plain = await store.db.transaction().execute((trx) => insertThread(trx, { ...base, id: 'thread_e', seq: 5, hidden: undefined }));
      const again = await insertThread(store.db, { ...base, id: 'thread_f', seq: 6, hidden: 1 });
      assert.deepEqual([hidden, plain, again].map((r) => [r.id, Number(r.seq), r.tenant_id, r.hidden]), [
        ['thread_d', 4, 't3', 1],
        ['thread_e', 5, 't3', 0],
        ['thread_f', 6, 't3', 1],
      ]);
      await assert.rejects(insertThread(store.db, { ...base, id: 'thread_d', seq: 7 }), /unique|duplicate/i);
    });

    it('should write with it inside a transaction', async () => {
      const rows = await store.db.transaction().execute((trx) => setMetadata(trx, { id: 'thread_a', metadata: '{"k":"v"}' }));
      assert.deepEqual(rows, [{ id: 'thread_a', metadata: '{"k":"v"}' }]);
    });
  });
}
