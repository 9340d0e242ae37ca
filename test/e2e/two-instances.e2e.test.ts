import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chatChunks } from '../fakes/chunks.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { until } from '../support/until.js';

// Several instances share one database only on PostgreSQL.
if (testDialects().includes('postgres')) {
  describe('two instances on one PostgreSQL database', () => {
    let fake: FakeUpstream;
    let db: { url: string; drop(): Promise<void> };
    let a: TestApp;
    let b: TestApp;
    let idle: TestApp;

    before(async () => {
      fake = await startFakeUpstream();
      db = await createTestDatabaseUrl('postgres');
      const env = { SWITCHBOARD_UPSTREAM_URL: fake.url };
      a = await createTestApp({ databaseUrl: db.url, env, server: { worker: { concurrency: 4 } } });
      b = await createTestApp({ databaseUrl: db.url, env, server: { worker: { concurrency: 4 } } });
      // An instance that executes no runs itself: its clients' streams must come from the others.
      idle = await createTestApp({ databaseUrl: db.url, env, server: { worker: { concurrency: 0 } } });
    });
    after(async () => {
      await Promise.all([a.stop(), b.stop(), idle.stop()]);
      await db.drop();
      await fake.close();
    });

    it('should run 100 runs between them with none run twice', async () => {
      const assistant = await a.client().beta.assistants.create({ model: 'gpt-4o' });
      const clients = [a.client(), b.client(), idle.client()];
      const runs = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          clients[i % 3]!.beta.threads.createAndRun({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: `n${i}` }] } }),
        ),
      );
      const store = a.server.deps.store.db;
      const ids = runs.map((r) => r.id);
      const rows = await until(
        () => store.selectFrom('runs').select(['id', 'status', 'attempts']).where('id', 'in', ids).execute(),
        (rs) => rs.every((r) => r.status === 'completed'),
      );
      assert.equal(rows.filter((r) => r.status === 'completed').length, 100);
      const modelCalls = fake.calls.filter((c) => c.path === '/v1/chat/completions' && ids.includes(String(c.headers['x-request-id'])));
      assert.equal(modelCalls.length, 100, 'one model call per run');
      assert.equal(new Set(modelCalls.map((c) => c.headers['x-request-id'])).size, 100);
      const answers = await store.selectFrom('messages').select('run_id').where('run_id', 'in', ids).execute();
      assert.equal(answers.length, 100, 'one assistant message per run');
    });

    it("should stream a run's events to a client of an instance that does not execute it", async () => {
      const client = idle.client();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const events: string[] = [];
      const stream = client.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'hi' }] } });
      stream.on('event', (e) => events.push(e.event));
      const run = await stream.finalRun();
      assert.equal(run.status, 'completed');
      assert.ok(events.includes('thread.message.delta'));
      assert.equal(events.at(-1), 'thread.run.completed');
      const [message] = await stream.finalMessages();
      assert.equal(message?.content[0]?.type === 'text' && message.content[0].text.value, 'Hello from the fake upstream.');
    });

    it('should stream a delta too large for one NOTIFY whole to a client of another instance', async () => {
      // One upstream chunk of ~12 kB (multi-byte characters too): more than a NOTIFY payload can carry.
      const big = 'Ünïcödé ✓ text '.repeat(600);
      fake.enqueue('/v1/chat/completions', { type: 'sse', chunks: chatChunks({ content: ['Start. ', big, ' End.'], usage: {} }) });
      const client = idle.client();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const deltas: string[] = [];
      const stream = client.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'big' }] } });
      stream.on('textDelta', (d) => deltas.push(d.value ?? ''));
      const run = await stream.finalRun();
      assert.equal(run.status, 'completed');
      // Lengths first: a failing comparison of the whole text would print ~12 kB.
      assert.deepEqual(deltas.map((d) => d.length), [7, big.length, 5]);
      assert.ok(deltas[1] === big, 'the large delta arrives unchanged');
    });
  });
}
