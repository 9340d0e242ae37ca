import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { annStats, configureAnn } from '../../src/retrieval/ann-registry.js';
import { IngestionWorker } from '../../src/retrieval/ingestion.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { until } from '../support/until.js';

const FACT = 'Zorblax the lighthouse keeper paints every harbour door teal on the first Tuesday of March.';
const FILLER = [
  'Sourdough bread needs a lively starter, a long cold proof and a very hot oven.',
  'Tomato plants prefer full sun, deep watering and a stake to climb as they grow.',
  'Marathon runners taper their training in the final weeks before the race.',
  'A good espresso is pulled in about twenty-five seconds from finely ground beans.',
].join('\n\n');
const QUESTION = 'What colour does Zorblax paint the harbour doors?';

/** Chunks this instance's index of the store holds (linked or pending), and whether it answers searches. */
function indexOf(app: TestApp, vectorStoreId: string) {
  const stats = annStats(app.server.deps.store.db).find((s) => s.vectorStoreId === vectorStoreId);
  return stats && { phase: stats.phase, chunks: stats.indexed + stats.pending };
}

// Several instances share one database only on PostgreSQL.
if (testDialects().includes('postgres')) {
  describe('two instances on one PostgreSQL database: the nearest-neighbour index', () => {
    let db: { url: string; drop(): Promise<void> };
    let a: TestApp;
    let b: TestApp;
    let clientA: OpenAI;
    let clientB: OpenAI;
    let vsId: string;
    const attach = async (text: string, name: string, attributes: Record<string, string>) => {
      const file = await clientA.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'assistants' });
      await clientA.vectorStores.files.create(vsId, { file_id: file.id, attributes });
      await until(() => clientA.vectorStores.files.retrieve(file.id, { vector_store_id: vsId }), (f) => f.status === 'completed');
      return file.id;
    };

    before(async () => {
      db = await createTestDatabaseUrl('postgres');
      a = await createTestApp({ databaseUrl: db.url });
      b = await createTestApp({ databaseUrl: db.url });
      // B ingests nothing: every chunk it finds, A wrote.
      const ingestion = b.server.deps.ingestion;
      if (ingestion instanceof IngestionWorker) await ingestion.stop();
      for (const app of [a, b]) configureAnn(app.server.deps.store.db, { minChunks: 1 });
      clientA = a.client(TEST_KEYS[0]);
      clientB = b.client(TEST_KEYS[0]);
      vsId = (await clientA.vectorStores.create({ name: 'shared' })).id;
      await attach(FILLER, 'filler.txt', { lang: 'en' });
    });
    after(async () => {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
    });

    it('should answer from B once its index is built, then find a file A ingested afterwards', async () => {
      await clientB.vectorStores.search(vsId, { query: 'bread' }); // starts B's build; the exact scan answers
      const built = await until(async () => indexOf(b, vsId), (s) => s?.phase === 'ready');
      assert.deepEqual(built, { phase: 'ready', chunks: 1 });

      const factId = await attach(FACT, 'fact.txt', { lang: 'xx' });
      const page = await clientB.vectorStores.search(vsId, { query: QUESTION, max_num_results: 1 });
      assert.deepEqual(page.data.map((r) => [r.file_id, r.content[0]?.text]), [[factId, FACT]]);
      assert.deepEqual(indexOf(b, vsId), { phase: 'ready', chunks: 2 });
    });

    it('should apply attribute filters exactly to what the index finds', async () => {
      const page = await clientB.vectorStores.search(vsId, {
        query: QUESTION,
        filters: { type: 'eq', key: 'lang', value: 'en' },
      });
      assert.deepEqual(page.data.map((r) => [r.filename, r.attributes]), [['filler.txt', { lang: 'en' }]]);
    });

    it('should drop from B the chunks of a file A removed from the store', async () => {
      const [fact] = (await clientA.vectorStores.files.list(vsId, { filter: 'completed' })).data.filter((f) => f.attributes?.lang === 'xx');
      await clientA.vectorStores.files.delete(fact!.id, { vector_store_id: vsId });
      const page = await clientB.vectorStores.search(vsId, { query: QUESTION });
      assert.deepEqual(page.data.map((r) => r.filename), ['filler.txt']);
      assert.deepEqual(indexOf(b, vsId), { phase: 'ready', chunks: 1 });
    });
  });
}
