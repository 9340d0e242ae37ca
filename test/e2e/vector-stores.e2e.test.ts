import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import type { VectorStore } from 'openai/resources/vector-stores/vector-stores';
import type { Deps } from '../../src/deps.js';
import { createIngestionWorker, type IngestionWorker } from '../../src/retrieval/ingestion.js';
import type { IngestionQueue } from '../../src/services/vector-store-files.service.js';
import { openDb } from '../../src/store/open-db.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';
import { until } from '../support/until.js';

const FACT = 'Zorblax the lighthouse keeper paints every harbour door teal on the first Tuesday of March.';
const FILLER = [
  'Sourdough bread needs a lively starter, a long cold proof and a very hot oven.',
  'Tomato plants prefer full sun, deep watering and a stake to climb as they grow.',
  'The stock market closed slightly higher after a quiet day of trading in bank shares.',
  'Marathon runners taper their training in the final weeks before the race.',
  'A good espresso is pulled in about twenty-five seconds from finely ground beans.',
  'Migrating geese fly in a V formation to save energy over long distances.',
  'The city council approved a new budget for road repairs and public libraries.',
  'Chess openings such as the Sicilian Defence lead to sharp tactical positions.',
];
const fillerTimes = (n: number) => Array.from({ length: n }, () => FILLER).flat();
/** Over 800 tokens (several chunks even with the auto strategy), the fact in the middle. */
const LONG_TEXT = [...fillerTimes(4), FACT, ...fillerTimes(4)].join('\n\n');

type WithIngestion = Deps & { ingestion?: IngestionQueue };

/**
 * Starts an ingestion worker over the app and tells the services about it, unless the server runs one itself
 * (then stop() is a no-op: the server stops its own).
 */
async function startIngestion(app: TestApp): Promise<Pick<IngestionWorker, 'stop'>> {
  const deps = app.server.deps as WithIngestion;
  if (deps.ingestion) return { stop: async () => {} };
  const worker = createIngestionWorker(deps, { pollMs: 50, leaseMs: 2_000 });
  deps.ingestion = worker;
  await worker.start();
  return worker;
}

for (const dialect of testDialects()) {
  describe(`vector stores (${dialect})`, () => {
    let app: TestApp;
    let worker: Pick<IngestionWorker, 'stop'>;
    let client: OpenAI;
    let other: OpenAI;
    const upload = async (text: string | Buffer, name: string, c = client) =>
      c.files.create({ file: await toFile(Buffer.isBuffer(text) ? text : Buffer.from(text), name), purpose: 'assistants' });

    before(async () => {
      app = await createTestApp({ dialect });
      worker = await startIngestion(app);
      client = app.client(TEST_KEYS[0]);
      other = app.client(TEST_KEYS[1]);
    });
    after(async () => {
      await worker.stop();
      await app.close();
    });

    it('should create a store with file_ids and index them, every field present', async () => {
      const f = await upload('Plain text about nothing in particular.', 'plain.txt');
      const vs = await client.vectorStores.create({ name: 'docs', file_ids: [f.id], metadata: { team: 'a' } });
      assert.match(vs.id, /^vs_[A-Za-z0-9]{24}$/);
      assert.equal(vs.object, 'vector_store');
      assert.equal(vs.name, 'docs');
      assert.deepEqual(vs.metadata, { team: 'a' });
      assert.equal(vs.file_counts.total, 1);
      assert.equal(vs.last_active_at, vs.created_at);
      assert.equal(vs.expires_at, null);
      const done = await until(() => client.vectorStores.retrieve(vs.id), (v) => v.status === 'completed');
      assert.deepEqual(done.file_counts, { in_progress: 0, completed: 1, failed: 0, cancelled: 0, total: 1 });
      assert.ok(done.usage_bytes > 0);
      const file = await client.vectorStores.files.retrieve(f.id, { vector_store_id: vs.id });
      assert.deepEqual(file, {
        id: f.id,
        object: 'vector_store.file',
        usage_bytes: file.usage_bytes,
        created_at: file.created_at,
        vector_store_id: vs.id,
        status: 'completed',
        last_error: null,
        chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
        attributes: null,
      });
      assert.equal(file.usage_bytes, done.usage_bytes);
    });

    it('should find the unique fact first after uploadAndPoll, with filename, score, attributes and content', async () => {
      const vs = await client.vectorStores.create({ name: 'facts' });
      const other1 = await upload(FILLER.join('\n'), 'filler.txt');
      await client.vectorStores.files.createAndPoll(vs.id, { file_id: other1.id });
      const file = await client.vectorStores.files.uploadAndPoll(vs.id, await toFile(Buffer.from(LONG_TEXT), 'facts.txt'));
      assert.equal(file.status, 'completed');
      const page = await client.vectorStores.search(vs.id, { query: 'What colour does Zorblax paint the harbour doors?' });
      assert.ok(page.data.filter((r) => r.file_id === file.id).length > 1, 'several chunks of facts.txt');
      assert.ok(page.data.length > 1);
      const [top] = page.data;
      assert.equal(top!.filename, 'facts.txt');
      assert.equal(top!.file_id, file.id);
      assert.match(top!.content[0]!.text, /Zorblax/);
      assert.equal(top!.content[0]!.type, 'text');
      assert.equal(top!.attributes, null);
      assert.ok(top!.score > 0 && top!.score <= 1);
      for (let i = 1; i < page.data.length; i++) assert.ok(page.data[i - 1]!.score >= page.data[i]!.score);
      const raw = await client.post<Record<string, unknown>>(`/vector_stores/${vs.id}/search`, { body: { query: ['Zorblax', 'teal doors'] } });
      assert.equal(raw.object, 'vector_store.search_results.page');
      assert.deepEqual(raw.search_query, ['Zorblax', 'teal doors']);
      assert.equal(raw.has_more, false);
      assert.equal(raw.next_page, null);
    });

    it('should honour max_num_results and score_threshold', async () => {
      const vs = await client.vectorStores.create({});
      const f = await upload(LONG_TEXT, 'long.txt');
      const smallChunks = { type: 'static' as const, static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 50 } };
      await client.vectorStores.files.createAndPoll(vs.id, { file_id: f.id, chunking_strategy: smallChunks });
      const two = await client.vectorStores.search(vs.id, { query: 'bread and coffee', max_num_results: 2 });
      assert.equal(two.data.length, 2);
      const all = await client.vectorStores.search(vs.id, { query: 'bread', max_num_results: 50 });
      const threshold = all.data[Math.floor(all.data.length / 2)]!.score;
      const above = await client.vectorStores.search(vs.id, { query: 'bread', max_num_results: 50, ranking_options: { score_threshold: threshold } });
      assert.ok(above.data.length > 0 && above.data.length < all.data.length);
      assert.ok(above.data.every((r) => r.score >= threshold));
      await rejectsWith(client.vectorStores.search(vs.id, { query: 'x', max_num_results: 51 }), { status: 400, param: 'max_num_results' });
    });

    it('should report chunking_strategy, and index a file batch with createAndPoll', async () => {
      const vs = await client.vectorStores.create({ name: 'batch' });
      const a = await upload('Alpha document about astronomy and telescopes.', 'a.txt');
      const b = await upload('Beta document about botany and ferns.', 'b.md');
      const batch = await client.vectorStores.fileBatches.createAndPoll(vs.id, {
        file_ids: [a.id, b.id],
        chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 100 } },
        attributes: { kind: 'doc' },
      });
      assert.match(batch.id, /^vsfb_/);
      assert.equal(batch.object, 'vector_store.files_batch');
      assert.equal(batch.status, 'completed');
      assert.deepEqual(batch.file_counts, { in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 });
      const files = await client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: vs.id });
      assert.deepEqual(files.data.map((f) => f.id).sort(), [a.id, b.id].sort());
      for (const f of files.data) {
        assert.deepEqual(f.chunking_strategy, { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 100 } });
        assert.deepEqual(f.attributes, { kind: 'doc' });
      }
      const store = await client.vectorStores.retrieve(vs.id);
      assert.equal(store.status, 'completed');
      assert.equal(store.file_counts.completed, 2);
    });

    it('should take per-file settings in a batch (`files`)', async () => {
      const vs = await client.vectorStores.create({});
      const a = await upload('Per-file settings one.', 'one.txt');
      const b = await upload('Per-file settings two.', 'two.txt');
      const batch = await client.vectorStores.fileBatches.createAndPoll(vs.id, {
        files: [
          { file_id: a.id, attributes: { n: 1 } },
          { file_id: b.id, attributes: { n: 2 }, chunking_strategy: { type: 'auto' } },
        ],
      });
      assert.equal(batch.file_counts.completed, 2);
      const one = await client.vectorStores.files.retrieve(a.id, { vector_store_id: vs.id });
      assert.deepEqual(one.attributes, { n: 1 });
      await rejectsWith(
        client.post(`/vector_stores/${vs.id}/file_batches`, { body: { file_ids: [a.id], files: [{ file_id: a.id }] } }),
        { status: 400 },
      );
      await rejectsWith(client.post(`/vector_stores/${vs.id}/file_batches`, { body: {} }), { status: 400, param: 'file_ids' });
    });

    it('should fail an unsupported file with last_error while the store keeps working', async () => {
      const vs = await client.vectorStores.create({});
      const bad = await upload(Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]), 'blob.xyz');
      const good = await upload('Working file about volcanoes and lava.', 'ok.txt');
      const failed = await client.vectorStores.files.createAndPoll(vs.id, { file_id: bad.id });
      assert.equal(failed.status, 'failed');
      assert.equal(failed.last_error?.code, 'unsupported_file');
      assert.ok(failed.last_error?.message);
      await client.vectorStores.files.createAndPoll(vs.id, { file_id: good.id });
      const store = await client.vectorStores.retrieve(vs.id);
      assert.equal(store.status, 'completed');
      assert.deepEqual(store.file_counts, { in_progress: 0, completed: 1, failed: 1, cancelled: 0, total: 2 });
      const found = await client.vectorStores.search(vs.id, { query: 'volcanoes' });
      assert.deepEqual([...new Set(found.data.map((r) => r.file_id))], [good.id]);
      const failedList = await client.vectorStores.files.list(vs.id, { filter: 'failed' });
      assert.deepEqual(failedList.data.map((f) => f.id), [bad.id]);
      const completedList = await client.vectorStores.files.list(vs.id, { filter: 'completed' });
      assert.deepEqual(completedList.data.map((f) => f.id), [good.id]);
      await rejectsWith(client.get(`/vector_stores/${vs.id}/files?filter=nope`), { status: 400, param: 'filter' });
    });

    it('should update attributes and filter search results on them', async () => {
      const vs = await client.vectorStores.create({});
      const a = await upload('Report on penguins of Antarctica, volume one.', 'p1.txt');
      const b = await upload('Report on penguins of Antarctica, volume two.', 'p2.txt');
      await client.vectorStores.fileBatches.createAndPoll(vs.id, { file_ids: [a.id, b.id] });
      const updated = await client.vectorStores.files.update(a.id, {
        vector_store_id: vs.id,
        attributes: { year: 2021, author: 'ada', public: true },
      });
      assert.deepEqual(updated.attributes, { year: 2021, author: 'ada', public: true });
      await client.vectorStores.files.update(b.id, { vector_store_id: vs.id, attributes: { year: 2024, author: 'bob' } });
      const search = (filters: OpenAI.VectorStores.VectorStoreSearchParams['filters']) =>
        client.vectorStores.search(vs.id, { query: 'penguins report', filters }).then((p) => [...new Set(p.data.map((r) => r.file_id))].sort());
      assert.deepEqual(await search({ type: 'eq', key: 'author', value: 'ada' }), [a.id]);
      assert.deepEqual(await search({ type: 'gt', key: 'year', value: 2022 }), [b.id]);
      assert.deepEqual(await search({ type: 'in', key: 'author', value: ['ada', 'bob'] }), [a.id, b.id].sort());
      assert.deepEqual(
        await search({ type: 'and', filters: [{ type: 'gte', key: 'year', value: 2021 }, { type: 'ne', key: 'author', value: 'ada' }] }),
        [b.id],
      );
      assert.deepEqual(
        await search({ type: 'or', filters: [{ type: 'eq', key: 'public', value: true }, { type: 'eq', key: 'author', value: 'bob' }] }),
        [a.id, b.id].sort(),
      );
      await rejectsWith(
        client.vectorStores.files.update(a.id, { vector_store_id: vs.id, attributes: { k: 'x'.repeat(513) } }),
        { status: 400, param: 'attributes.k' },
      );
    });

    it('should return a file’s parsed content', async () => {
      const vs = await client.vectorStores.create({});
      const f = await upload('Line one.\nLine two.', 'content.txt');
      await client.vectorStores.files.createAndPoll(vs.id, { file_id: f.id });
      const page = await client.vectorStores.files.content(f.id, { vector_store_id: vs.id });
      assert.equal(page.data.length, 1);
      assert.equal(page.data[0]!.type, 'text');
      assert.match(page.data[0]!.text ?? '', /Line one\.\s+Line two\./);
    });

    it('should delete a file from a store (and its chunks), then the store', async () => {
      const vs = await client.vectorStores.create({});
      const f = await upload('Quasar Quixote quotes quietly.', 'q.txt');
      await client.vectorStores.files.createAndPoll(vs.id, { file_id: f.id });
      assert.equal((await client.vectorStores.search(vs.id, { query: 'Quasar Quixote' })).data.length, 1);
      const deleted = await client.vectorStores.files.delete(f.id, { vector_store_id: vs.id });
      assert.deepEqual(deleted, { id: f.id, object: 'vector_store.file.deleted', deleted: true });
      assert.equal((await client.vectorStores.search(vs.id, { query: 'Quasar Quixote' })).data.length, 0);
      await rejectsWith(client.vectorStores.files.retrieve(f.id, { vector_store_id: vs.id }), { status: 404 });
      assert.equal((await client.files.retrieve(f.id)).id, f.id, 'the file itself stays');
      const store = await client.vectorStores.retrieve(vs.id);
      assert.equal(store.file_counts.total, 0);
      assert.equal(store.usage_bytes, 0);

      await client.vectorStores.files.createAndPoll(vs.id, { file_id: f.id });
      assert.deepEqual(await client.vectorStores.delete(vs.id), { id: vs.id, object: 'vector_store.deleted', deleted: true });
      await rejectsWith(client.vectorStores.retrieve(vs.id), { status: 404 });
      await rejectsWith(client.vectorStores.search(vs.id, { query: 'Quasar' }), { status: 404 });
      await rejectsWith(client.vectorStores.delete(vs.id), { status: 404 });
    });

    it('should update name, metadata and expires_after', async () => {
      const vs = await client.vectorStores.create({ name: 'old', expires_after: { anchor: 'last_active_at', days: 7 } });
      assert.deepEqual(vs.expires_after, { anchor: 'last_active_at', days: 7 });
      assert.equal(vs.expires_at, vs.last_active_at! + 7 * 86_400);
      const updated = await client.vectorStores.update(vs.id, { name: 'new', metadata: { a: 'b' }, expires_after: null });
      assert.equal(updated.name, 'new');
      assert.deepEqual(updated.metadata, { a: 'b' });
      assert.equal(updated.expires_at, null);
      assert.equal(updated.expires_after, undefined);
      await rejectsWith(client.vectorStores.create({ expires_after: { anchor: 'last_active_at', days: 0 } }), { status: 400, param: 'expires_after.days' });
    });

    it('should validate chunking strategies and file ids', async () => {
      const vs = await client.vectorStores.create({});
      const f = await upload('x', 'x.txt');
      await rejectsWith(
        client.vectorStores.files.create(vs.id, {
          file_id: f.id,
          chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 150 } },
        }),
        { status: 400, param: 'chunking_strategy.static.chunk_overlap_tokens' },
      );
      await rejectsWith(
        client.vectorStores.files.create(vs.id, {
          file_id: f.id,
          chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 50, chunk_overlap_tokens: 0 } },
        }),
        { status: 400, param: 'chunking_strategy.static.max_chunk_size_tokens' },
      );
      await rejectsWith(client.vectorStores.files.create(vs.id, { file_id: 'file-nope' }), { status: 404 });
      await rejectsWith(client.vectorStores.create({ file_ids: ['file-nope'] }), { status: 404 });
    });

    it('should list stores newest first across pages', async () => {
      const mine = new Set<string>();
      for (let i = 0; i < 3; i++) mine.add((await client.vectorStores.create({ name: `page-${i}` })).id);
      const seen: VectorStore[] = [];
      for await (const vs of client.vectorStores.list({ limit: 2 })) seen.push(vs);
      assert.ok([...mine].every((id) => seen.some((v) => v.id === id)));
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]!.created_at >= seen[i]!.created_at);
    });

    it('should cancel a batch: files not yet indexed end cancelled', async () => {
      const vs = await client.vectorStores.create({});
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await upload(`${LONG_TEXT}\n\nDocument ${i}.`, `c${i}.txt`)).id);
      const batch = await client.vectorStores.fileBatches.create(vs.id, {
        file_ids: ids,
        chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 50 } },
      });
      const cancelled = await client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: vs.id });
      assert.equal(cancelled.status, 'cancelled');
      assert.ok(cancelled.file_counts.cancelled > 0, JSON.stringify(cancelled.file_counts));
      const settled = await until(
        () => client.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: vs.id }),
        (b) => b.file_counts.in_progress === 0,
      );
      assert.equal(settled.status, 'cancelled');
      assert.equal(settled.file_counts.cancelled + settled.file_counts.completed, 12);
      const cancelledFiles = await client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: vs.id, filter: 'cancelled', limit: 100 });
      assert.equal(cancelledFiles.data.length, settled.file_counts.cancelled);
      assert.equal((await client.vectorStores.retrieve(vs.id)).status, 'completed');
    });

    it('should work with the 4.x SDK (uploadAndPoll, file batch, search)', async () => {
      const v4 = app.clientV4();
      const vs = await v4.vectorStores.create({ name: 'v4' });
      const file = await v4.vectorStores.files.uploadAndPoll(vs.id, await toFile(Buffer.from(`v4 says: ${FACT}`), 'v4.txt'), {
        pollIntervalMs: 50,
      });
      assert.equal(file.status, 'completed');
      const batch = await v4.vectorStores.fileBatches.createAndPoll(vs.id, { file_ids: [file.id] }, { pollIntervalMs: 50 });
      assert.equal(batch.status, 'completed');
      const page = await v4.vectorStores.search(vs.id, { query: 'Zorblax' });
      assert.equal(page.data[0]?.file_id, file.id);
    });

    it('should keep every route tenant-isolated', async () => {
      const f = await upload('Tenant A secret about platypus.', 'secret.txt');
      const vs = await client.vectorStores.create({ name: 'private' });
      await client.vectorStores.files.createAndPoll(vs.id, { file_id: f.id });
      const batch = await client.vectorStores.fileBatches.create(vs.id, { file_ids: [f.id] });
      const theirs = await other.vectorStores.create({});
      const vsRef = { vector_store_id: vs.id };
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['retrieve', () => other.vectorStores.retrieve(vs.id)],
        ['update', () => other.vectorStores.update(vs.id, { name: 'x' })],
        ['delete', () => other.vectorStores.delete(vs.id)],
        ['search', () => other.vectorStores.search(vs.id, { query: 'platypus' })],
        ['files.create', () => other.vectorStores.files.create(vs.id, { file_id: f.id })],
        ['files.list', () => other.vectorStores.files.list(vs.id)],
        ['files.retrieve', () => other.vectorStores.files.retrieve(f.id, vsRef)],
        ['files.update', () => other.vectorStores.files.update(f.id, { ...vsRef, attributes: {} })],
        ['files.delete', () => other.vectorStores.files.delete(f.id, vsRef)],
        ['files.content', () => other.vectorStores.files.content(f.id, vsRef)],
        ['fileBatches.create', () => other.vectorStores.fileBatches.create(vs.id, { file_ids: [f.id] })],
        ['fileBatches.retrieve', () => other.vectorStores.fileBatches.retrieve(batch.id, vsRef)],
        ['fileBatches.cancel', () => other.vectorStores.fileBatches.cancel(batch.id, vsRef)],
        ['fileBatches.listFiles', () => other.vectorStores.fileBatches.listFiles(batch.id, vsRef)],
        ['attach my file to their store', () => other.vectorStores.files.create(theirs.id, { file_id: f.id })],
        ['create theirs with my file', () => other.vectorStores.create({ file_ids: [f.id] })],
      ];
      for (const [what, call] of calls) {
        await assert.rejects(call(), (err: unknown) => {
          assert.ok(err instanceof OpenAI.NotFoundError, `${what}: expected 404, got ${String(err)}`);
          return true;
        });
      }
      const listed = await other.vectorStores.list({ limit: 100 });
      assert.ok(listed.data.every((v) => v.id !== vs.id));
      assert.equal((await client.vectorStores.retrieve(vs.id)).name, 'private');
    });
  });

  describe(`vector stores over time (${dialect})`, () => {
    let app: TestApp;
    let worker: Pick<IngestionWorker, 'stop'>;
    let offsetMs = 0;

    before(async () => {
      app = await createTestApp({ dialect, server: { clock: { now: () => Date.now() + offsetMs } } });
      worker = await startIngestion(app);
    });
    after(async () => {
      await worker.stop();
      await app.close();
    });

    it('should move last_active_at and expires_at on search, and expire an idle store', async () => {
      const client = app.client();
      const vs = await client.vectorStores.create({ expires_after: { anchor: 'last_active_at', days: 1 } });
      offsetMs += 3_600_000;
      await client.vectorStores.search(vs.id, { query: 'anything' });
      const touched = await client.vectorStores.retrieve(vs.id);
      assert.ok(touched.last_active_at! >= vs.last_active_at! + 3_600);
      assert.equal(touched.expires_at, touched.last_active_at! + 86_400);
      assert.equal(touched.status, 'completed');
      offsetMs += 2 * 86_400_000;
      const expired = await client.vectorStores.retrieve(vs.id);
      assert.equal(expired.status, 'expired');
      await rejectsWith(client.vectorStores.search(vs.id, { query: 'anything' }), { status: 400 });
    });
  });

  describe(`vector store ingestion recovery (${dialect})`, () => {
    it('should index a file left in_progress by a stopped process when a new one starts', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'sb-vs-recovery-'));
      const first = await createTestApp({ dialect, env: { SWITCHBOARD_DATA_DIR: dataDir } });
      const client = first.client();
      const f = await client.files.create({ file: await toFile(Buffer.from(`Recovered: ${FACT}`), 'recover.txt'), purpose: 'assistants' });
      const vs = await client.vectorStores.create({ name: 'recovery' });
      await first.stop();

      // What a process that died mid-indexing leaves: the file in progress under its (unexpired) lease.
      const store = openDb(first.databaseUrl);
      const nowMs = Date.now();
      await store.db
        .insertInto('vector_store_files')
        .values({
          id: f.id,
          vector_store_id: vs.id,
          tenant_id: (await store.db.selectFrom('vector_stores').select('tenant_id').where('id', '=', vs.id).executeTakeFirstOrThrow())
            .tenant_id,
          seq: nowMs * 1000,
          created_at: Math.floor(nowMs / 1000),
          status: 'in_progress',
          last_error: null,
          chunking_strategy: JSON.stringify({ type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } }),
          attributes: null,
          batch_id: null,
          lease_owner: 'ingest_dead',
          lease_expires_at: nowMs + 1_000,
          attempts: 1,
        })
        .execute();
      await store.close();

      const second = await createTestApp({ dialect, databaseUrl: first.databaseUrl, env: { SWITCHBOARD_DATA_DIR: dataDir } });
      const secondWorker = await startIngestion(second);
      try {
        const c2 = second.client();
        const file = await until(
          () => c2.vectorStores.files.retrieve(f.id, { vector_store_id: vs.id }),
          (v) => v.status !== 'in_progress',
        );
        assert.equal(file.status, 'completed', JSON.stringify(file.last_error));
        const found = await c2.vectorStores.search(vs.id, { query: 'Zorblax harbour doors' });
        assert.equal(found.data[0]?.file_id, f.id);
      } finally {
        await secondWorker.stop();
        await second.stop();
        await first.close();
      }
    });
  });
}
