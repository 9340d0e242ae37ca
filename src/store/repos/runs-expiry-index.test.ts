import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../../test/support/databases.js';
import { migrateToLatest, openDb, type Store } from '../open-db.js';
import { expiredRunsQuery } from './runs.repo.js';

// Every worker poll looks for runs past their expires_at (run-worker.ts #expire): an index on both of its conditions
// must serve it, or each poll reads every queued / requires_action run (runs_status_seq) or the whole table.

/** The plan's lines for the expiry poll's query, with its parameters bound. */
async function expiryPlan(store: Store): Promise<string> {
  const query = expiredRunsQuery(store.db, 1_700_000_000).compile();
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
  describe(`the expiry poll's index (${dialect})`, () => {
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

    it('should find expired runs through runs_status_expires_at, bounded on status and expires_at', async () => {
      const plan = await expiryPlan(store);
      if (dialect === 'sqlite') assert.match(plan, /USING INDEX runs_status_expires_at \(status=\? AND expires_at<\?\)/, plan);
      else assert.match(plan, /runs_status_expires_at[\s\S]*Index Cond: \(\(status = ANY \(.*\)\) AND \(expires_at < .*\)\)/, plan);
    });
  });
}
