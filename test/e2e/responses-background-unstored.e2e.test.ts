import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { sweepLapsedResponses } from '../../src/services/responses-lapse.js';
import { rejectsWith } from '../support/api-errors.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { testClock } from '../support/test-clock.js';
import { until } from '../support/until.js';

// A `background: true, store: false` response (OpenAI: "If a background request omits store or sets it to false, the
// API deletes the response after about 10 minutes"): polled, replayed and cancelled like any background response, never
// a previous_response_id, and gone with every row of it once the configured time has passed after its end.

const COMPLETIONS = '/v1/chat/completions';
type Table = 'responses' | 'runs' | 'threads' | 'messages' | 'run_steps' | 'conversation_items' | 'response_events';
const DEFAULT_TEXT = 'Hello from the fake upstream.';
/** The setting under test (SWITCHBOARD_UNSTORED_BACKGROUND_TTL_S); the default is 600. */
const TTL_S = 120;

const textOf = (r: Response): string =>
  r.output.flatMap((i) => (i.type === 'message' ? i.content.map((p) => (p.type === 'output_text' ? p.text : '')) : [])).join('');

/** `store` as the response echoes it (the SDK's Response type leaves it out). */
const storeOf = (r: Response): boolean | undefined => (r as Response & { store?: boolean }).store;

async function replay(client: OpenAI, id: string, startingAfter?: number): Promise<ResponseStreamEvent[]> {
  const stream = await client.responses.retrieve(id, { stream: true, ...(startingAfter === undefined ? {} : { starting_after: startingAfter }) });
  const out: ResponseStreamEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

for (const dialect of testDialects()) {
  describe(`background store:false responses (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    const clock = testClock();

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({
        dialect,
        env: { SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_UNSTORED_BACKGROUND_TTL_S: String(TTL_S) },
        // The test clock jumps past the TTL while a run is going: a lease far longer keeps it with its worker.
        yaml: 'runs:\n  lease_ms: 3600000\n',
        server: { clock },
      });
      client = app.client(TEST_KEYS[0]);
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    /** The response's rows and all that hangs on them (run, hidden thread, messages, steps, items, stored events). */
    async function rowsOf(responseId: string): Promise<Record<Table, number>> {
      const db = app.server.deps.store.db;
      const row = await db.selectFrom('responses').select(['run_id', 'thread_id']).where('id', '=', responseId).executeTakeFirst();
      const runId = row?.run_id ?? '';
      const threadId = row?.thread_id ?? '';
      const count = async (q: Promise<unknown[]>) => (await q).length;
      return {
        responses: await count(db.selectFrom('responses').select('id').where('id', '=', responseId).execute()),
        runs: await count(db.selectFrom('runs').select('id').where('id', '=', runId).execute()),
        threads: await count(db.selectFrom('threads').select('id').where('id', '=', threadId).execute()),
        messages: await count(db.selectFrom('messages').select('id').where('thread_id', '=', threadId).execute()),
        run_steps: await count(db.selectFrom('run_steps').select('id').where('run_id', '=', runId).execute()),
        conversation_items: await count(db.selectFrom('conversation_items').select('id').where('thread_id', '=', threadId).execute()),
        response_events: await count(db.selectFrom('response_events').select('sequence_number').where('response_id', '=', responseId).execute()),
      };
    }

    const runStatusOf = async (responseId: string) =>
      (
        await app.server.deps.store.db
          .selectFrom('runs')
          .innerJoin('responses', 'responses.run_id', 'runs.id')
          .select('runs.status')
          .where('responses.id', '=', responseId)
          .executeTakeFirst()
      )?.status;

    it('should be polled from queued through in_progress to completed with its output, and replayed from its stored events', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Poll me.', background: true, store: false });
      assert.equal(r.background, true);
      assert.equal(storeOf(r), false);
      assert.ok(r.status === 'queued' || r.status === 'in_progress', r.status);
      await upstream.started;
      assert.equal((await client.responses.retrieve(r.id)).status, 'in_progress');
      for (const chunk of chatChunks({ content: ['Polled ', 'answer.'] })) upstream.write(chunk);
      upstream.end();
      const done = await until(() => client.responses.retrieve(r.id), (x) => x.status === 'completed');
      assert.equal(done.status, 'completed');
      assert.equal(done.id, r.id);
      assert.equal(storeOf(done), false);
      assert.equal(textOf(done), 'Polled answer.');
      const calls = fake.calls.filter((c) => c.path === COMPLETIONS);
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0]!.body.messages.at(-1), { role: 'user', content: 'Poll me.' });

      const events = await replay(client, r.id);
      assert.equal(events[0]?.type, 'response.created');
      const last = events.at(-1);
      assert.ok(last?.type === 'response.completed', last?.type);
      assert.equal(textOf(last.response), 'Polled answer.');
      assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
      assert.deepEqual(await replay(client, r.id, 2), events.slice(3));
      // As for every store:false response: its input is not listed (OpenAI keeps no input items of it).
      await rejectsWith(client.responses.inputItems.list(r.id), { status: 404, message: `No response found with id '${r.id}'.` });
      // Another tenant never sees it.
      await rejectsWith(app.client(TEST_KEYS[1]).responses.retrieve(r.id), { status: 404 });
    });

    it('should keep a streamed one for polling after its stream ends', async () => {
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Stream me.', background: true, store: false, stream: true });
      let id = '';
      let lastType = '';
      for await (const event of stream) {
        if (event.type === 'response.created') id = event.response.id;
        lastType = event.type;
      }
      assert.equal(lastType, 'response.completed');
      const kept = await client.responses.retrieve(id);
      assert.equal(kept.status, 'completed');
      assert.equal(textOf(kept), DEFAULT_TEXT);
    });

    it('should delete it and every row of it once the setting has passed after its end, and no other response', async () => {
      // What the tests before left lapses first: the counts below are this test's alone.
      clock.advance((TTL_S + 1) * 1000);
      await sweepLapsedResponses(app.server.deps);
      const unstored = await client.responses.create({ model: 'gpt-4o-mini', input: 'Forget me later.', background: true, store: false });
      const stored = await client.responses.create({ model: 'gpt-4o-mini', input: 'Keep me.', background: true });
      await until(() => client.responses.retrieve(unstored.id), (x) => x.status === 'completed');
      await until(() => client.responses.retrieve(stored.id), (x) => x.status === 'completed');
      // The recorder stores the terminal event just after the run's end: wait for it, so that it is not written after the sweep.
      await until(() => rowsOf(unstored.id), (n) => n.response_events > 0 && n.messages === 2);
      const before = await rowsOf(unstored.id);
      assert.deepEqual({ ...before, response_events: 0 }, {
        responses: 1,
        runs: 1,
        threads: 1,
        messages: 2,
        run_steps: 1,
        conversation_items: 0,
        response_events: 0,
      });

      assert.equal(await sweepLapsedResponses(app.server.deps), 0, 'not yet');
      clock.advance((TTL_S - 5) * 1000);
      assert.equal(await sweepLapsedResponses(app.server.deps), 0, 'not yet');
      assert.equal((await client.responses.retrieve(unstored.id)).status, 'completed');
      clock.advance(10_000);
      assert.equal(await sweepLapsedResponses(app.server.deps), 1);

      assert.deepEqual(await rowsOf(unstored.id), {
        responses: 0,
        runs: 0,
        threads: 0,
        messages: 0,
        run_steps: 0,
        conversation_items: 0,
        response_events: 0,
      });
      await rejectsWith(client.responses.retrieve(unstored.id), { status: 404, message: `No response found with id '${unstored.id}'.` });
      await rejectsWith(client.responses.retrieve(unstored.id, { stream: true }), { status: 404 });
      assert.equal((await client.responses.retrieve(stored.id)).status, 'completed');
      assert.equal(await sweepLapsedResponses(app.server.deps), 0);
    });

    it('should delete them in batches, with two sweeps at once (two instances) leaving nothing and failing on nothing', async () => {
      clock.advance((TTL_S + 1) * 1000);
      await sweepLapsedResponses(app.server.deps);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await client.responses.create({ model: 'gpt-4o-mini', input: `Batch ${i}.`, background: true, store: false })).id);
      for (const id of ids) await until(() => client.responses.retrieve(id), (x) => x.status === 'completed');
      for (const id of ids) await until(() => rowsOf(id), (n) => n.response_events > 0);
      clock.advance((TTL_S + 1) * 1000);
      const swept = await Promise.all([sweepLapsedResponses(app.server.deps, 2), sweepLapsedResponses(app.server.deps, 2)]);
      assert.ok(swept[0]! + swept[1]! >= ids.length, swept.join(','));
      for (const id of ids) assert.equal(Object.values(await rowsOf(id)).reduce((a, b) => a + b, 0), 0, id);
      assert.equal(await sweepLapsedResponses(app.server.deps), 0);
    });

    it('should not delete one still running, however old', async () => {
      fake.enqueue(COMPLETIONS, { type: 'hang' });
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Slow.', background: true, store: false });
      await until(() => fake.calls.length, (n) => n === 1);
      clock.advance((TTL_S + 60) * 1000);
      assert.equal(await sweepLapsedResponses(app.server.deps), 0);
      assert.equal((await client.responses.retrieve(r.id)).status, 'in_progress');
      await client.responses.cancel(r.id);
      assert.equal(await until(() => runStatusOf(r.id), (s) => s === 'cancelled'), 'cancelled');
    });

    it('should cancel it while it runs: its model call stopped, cancelled when polled, its run written cancelled', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Go on forever.', background: true, store: false });
      await upstream.started;
      const [role, text] = chatChunks({ content: ['Once upon a time'] });
      upstream.write(role);
      upstream.write(text);
      // Its stored stream shows the first delta: the message is being written.
      const seen: string[] = [];
      for await (const event of await client.responses.retrieve(r.id, { stream: true })) {
        seen.push(event.type);
        if (event.type === 'response.output_text.delta') break;
      }
      assert.equal(seen.at(-1), 'response.output_text.delta');
      const cancelled = await client.responses.cancel(r.id);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(await until(() => upstream.isAborted(), (x) => x), true);
      assert.equal(await until(() => runStatusOf(r.id), (s) => s === 'cancelled'), 'cancelled');
      const polled = await client.responses.retrieve(r.id);
      assert.equal(polled.status, 'cancelled');
      // The message it was writing is closed as any cancelled response's is, not left in progress.
      const message = polled.output.find((i) => i.type === 'message');
      assert.ok(message?.type === 'message');
      assert.equal(message.status, 'incomplete');
      const events = await replay(client, r.id);
      const last = events.at(-1);
      assert.ok(last?.type === 'response.failed', last?.type);
      assert.equal(last.response.status, 'cancelled');
    });

    it('should refuse it as previous_response_id with a 400, as any store:false response', async () => {
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Unstored.', background: true, store: false });
      await until(() => client.responses.retrieve(r.id), (x) => x.status === 'completed');
      await rejectsWith(client.responses.create({ model: 'gpt-4o-mini', input: 'Next.', previous_response_id: r.id }), {
        status: 400,
        param: 'previous_response_id',
        message: `Previous response with id '${r.id}' not found.`,
      });
      assert.equal(fake.calls.filter((c) => c.path === COMPLETIONS).length, 1);
    });
  });
}

/** A spawned server's environment: its own data dir (where its instance id lives) and a long lease. */
function serverEnv(fake: FakeUpstream, dbUrl: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bg-unstored-crash-'));
  const config = join(dir, 'switchboard.yaml');
  writeFileSync(config, 'runs:\n  lease_ms: 600000\n  poll_ms: 100\n');
  return {
    SWITCHBOARD_UPSTREAM_URL: fake.url,
    SWITCHBOARD_API_KEYS: TEST_KEYS[0],
    SWITCHBOARD_DATABASE_URL: dbUrl,
    SWITCHBOARD_DATA_DIR: join(dir, 'data'),
    SWITCHBOARD_CONFIG: config,
  };
}

for (const dialect of testDialects()) {
  describe(`background store:false responses after kill -9 (${dialect})`, () => {
    it('should finish it on the restarted server (a background response is resumed, not forgotten), then keep it for polling', async () => {
      const fake = await startFakeUpstream();
      const db = await createTestDatabaseUrl(dialect);
      const servers: SpawnedServer[] = [];
      try {
        const env = serverEnv(fake, db.url);
        const first = await spawnServer(env);
        servers.push(first);
        const upstream = controlledStream();
        fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
        const c1 = new OpenAI({ apiKey: TEST_KEYS[0], baseURL: first.baseURL, maxRetries: 0 });
        const r = await c1.responses.create({ model: 'gpt-4o-mini', input: 'Tell me a story', background: true, store: false });
        await upstream.started;
        const [role, text] = chatChunks({ content: ['Once upon a time'] });
        upstream.write(role);
        upstream.write(text);
        for await (const event of await c1.responses.retrieve(r.id, { stream: true })) if (event.type === 'response.output_text.delta') break;
        first.child.kill('SIGKILL');
        await first.exited;

        const second = await spawnServer(env);
        servers.push(second);
        const c2 = new OpenAI({ apiKey: TEST_KEYS[0], baseURL: second.baseURL, maxRetries: 0 });
        const done = await until(() => c2.responses.retrieve(r.id), (x) => x.status === 'completed');
        assert.equal(done.status, 'completed');
        assert.equal(textOf(done), DEFAULT_TEXT);
        // The interrupted turn ran again: two upstream calls with the same input.
        const calls = fake.calls.filter((c) => c.path === COMPLETIONS);
        assert.equal(calls.length, 2);
        assert.deepEqual(calls[1]!.body.messages, calls[0]!.body.messages);
      } finally {
        for (const s of servers) s.child.kill('SIGKILL');
        await Promise.all(servers.map((s) => s.exited));
        await fake.close();
        await db.drop();
      }
    });
  });
}
