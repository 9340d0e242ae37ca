import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../../test/support/databases.js';
import { migrateToLatest, openDb, type Store } from '../open-db.js';
import { lapsedUnstoredQuery } from './responses.repo.js';

// Every instance sweeps lapsed background store:false responses every minute (services/responses-lapse.ts): an
// index must find them, or each sweep reads the whole responses table.

async function sweepPlan(store: Store): Promise<string> {
  const query = lapsedUnstoredQuery(store.db, { endedBy: 1_700_000_000, limit: 100 }).compile();
  if (store.dialect === 'sqlite') {
    const plan = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return plan.rows.map((r) => r.detail).join('\n');
  }
  // An empty table is cheapest read whole: forbid that, so the plan shows which index the planner would take.
  return store.db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const plan = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

for (const dialect of testDialects()) {
  describe(`the lapsed responses sweep's index (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
    });
    after(async () => {
      await store.close();
      await drop();
    });

    it('should read responses through responses_store_background_created, bounded on store, background and created_at', async () => {
      const plan = await sweepPlan(store);
      if (dialect === 'sqlite') assert.match(plan, /responses USING INDEX responses_store_background_created \(store=\? AND background=\? AND created_at<\?\)/, plan);
      else assert.match(plan, /responses_store_background_created[\s\S]*Index Cond: \(\(store = .*\) AND \(background = .*\) AND \(created_at <= .*\)\)/, plan);
    });
  });
}
