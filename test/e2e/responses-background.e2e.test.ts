import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type ControlledStream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { openDb } from '../../src/store/open-db.js';
import { rejectsWith } from '../support/api-errors.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { until } from '../support/until.js';

const COMPLETIONS = '/v1/chat/completions';
const DEFAULT_TEXT = 'Hello from the fake upstream.';

/** Every event of a replay stream (GET /v1/responses/{id}?stream=true), up to its end. */
async function replay(client: OpenAI, id: string, startingAfter?: number): Promise<ResponseStreamEvent[]> {
  const stream = await client.responses.retrieve(id, { stream: true, ...(startingAfter === undefined ? {} : { starting_after: startingAfter }) });
  const out: ResponseStreamEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

const deltas = (events: ResponseStreamEvent[]): string =>
  events.map((e) => (e.type === 'response.output_text.delta' ? e.delta : '')).join('');

/**
 * The stored stream is whole: numbered 0, 1, 2 … with no number twice (with `gaps`, rising: the numbers of a dead
 * worker's dropped events are not given again), ending with its terminal event.
 */
function assertWhole(events: ResponseStreamEvent[], terminal: string, opts: { gaps?: boolean } = {}): void {
  const numbers = events.map((e) => e.sequence_number);
  if (opts.gaps) assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!), `rising: ${numbers.join(',')}`);
  else assert.deepEqual(numbers, events.map((_, i) => i));
  assert.equal(events[0]?.type, 'response.created');
  assert.equal(events.at(-1)?.type, terminal);
  assert.equal(events.filter((e) => e.type === 'response.created').length, 1);
}

/** Writes a half answer to a held upstream call and waits until a replay shows its first delta. */
async function halfAnswer(client: OpenAI, id: string, upstream: ControlledStream): Promise<ResponseStreamEvent[]> {
  await upstream.started;
  const [role, text] = chatChunks({ content: ['Once upon a time'] });
  upstream.write(role);
  upstream.write(text);
  const seen: ResponseStreamEvent[] = [];
  const stream = await client.responses.retrieve(id, { stream: true });
  for await (const event of stream) {
    seen.push(event);
    if (event.type === 'response.output_text.delta') break;
  }
  return seen;
}

for (const dialect of testDialects()) {
  describe(`background responses: replay (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client(TEST_KEYS[0]);
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    it('should replay the stored events from the start and follow the response live until it completes', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Count slowly.', background: true });
      const early = await halfAnswer(client, r.id, upstream);
      assert.deepEqual(
        early.map((e) => e.type),
        ['response.created', 'response.queued', 'response.in_progress', 'response.output_item.added', 'response.content_part.added', 'response.output_text.delta'],
      );
      // A reader that joins mid-answer gets what was stored, then the rest as it happens.
      const live = replay(client, r.id);
      const [, , ...rest] = chatChunks({ content: ['Once upon a time', ', the end.'] });
      for (const chunk of rest) upstream.write(chunk);
      upstream.end();
      const events = await live;
      assertWhole(events, 'response.completed');
      assert.equal(deltas(events), 'Once upon a time, the end.');
      const last = events.at(-1);
      assert.ok(last?.type === 'response.completed');
      assert.equal(last.response.id, r.id);
      assert.equal(last.response.status, 'completed');
      assert.equal(textOf(last.response), 'Once upon a time, the end.');
      assert.deepEqual(early, events.slice(0, early.length));
      // The upstream got the input once.
      const calls = fake.calls.filter((c) => c.path === COMPLETIONS);
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0]!.body.messages.at(-1), { role: 'user', content: 'Count slowly.' });

      // Finished: a replay after N sends N+1 … and ends.
      const tail = await replay(client, r.id, 3);
      assert.deepEqual(tail, events.slice(4));
      // Its events go with it.
      const db = app.server.deps.store.db;
      const stored = () => db.selectFrom('response_events').select('sequence_number').where('response_id', '=', r.id).execute();
      assert.deepEqual((await stored()).map((x) => x.sequence_number).sort((a, b) => a - b), events.map((e) => e.sequence_number), JSON.stringify(events.map((e) => e.type)));
      await client.responses.delete(r.id);
      assert.deepEqual(await stored(), []);
    });

    it('should answer 400 for a stream of a response not created in the background, 404 for another tenant', async () => {
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Now.' });
      await rejectsWith(client.responses.retrieve(r.id, { stream: true }), { status: 400, param: 'stream' });
      await rejectsWith(app.client(TEST_KEYS[1]).responses.retrieve(r.id, { stream: true }), { status: 404 });
      const bg = await client.responses.create({ model: 'gpt-4o-mini', input: 'Later.', background: true });
      await until(() => client.responses.retrieve(bg.id), (x) => x.status === 'completed');
      await rejectsWith(app.client(TEST_KEYS[1]).responses.retrieve(bg.id, { stream: true }), { status: 404 });
      const bad = await fetch(`${app.baseURL}/responses/${bg.id}?stream=true&starting_after=x`, { headers: { authorization: `Bearer ${TEST_KEYS[0]}` } });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { error: { param: string } }).error.param, 'starting_after');
    });

    it('should end the stream of a finished response with no stored events with its terminal event', async () => {
      const bg = await client.responses.create({ model: 'gpt-4o-mini', input: 'Before the events were kept.', background: true });
      await until(() => client.responses.retrieve(bg.id), (x) => x.status === 'completed');
      // The recorder stores the terminal event just after the run's end is committed: wait for it, then drop them all.
      const db = app.server.deps.store.db;
      const kept = () => db.selectFrom('response_events').select('event').where('response_id', '=', bg.id).execute();
      await until(kept, (rows) => rows.some((r) => (JSON.parse(r.event) as { type: string }).type === 'response.completed'));
      await db.deleteFrom('response_events').where('response_id', '=', bg.id).execute();
      const events = await replay(client, bg.id);
      assert.deepEqual(
        events.map((e) => [e.type, e.sequence_number]),
        [['response.completed', 0]],
      );
      assert.ok(events[0]?.type === 'response.completed');
      assert.equal(textOf(events[0].response), DEFAULT_TEXT);
    });
  });
}

const textOf = (r: Response): string =>
  r.output.flatMap((i) => (i.type === 'message' ? i.content.map((p) => (p.type === 'output_text' ? p.text : '')) : [])).join('');

// Several instances share one database only on PostgreSQL.
if (testDialects().includes('postgres')) {
  describe('background responses on two instances (postgres)', () => {
    let fake: FakeUpstream;
    let db: { url: string; drop(): Promise<void> };
    let runner: TestApp;
    let idle: TestApp;

    before(async () => {
      fake = await startFakeUpstream();
      db = await createTestDatabaseUrl('postgres');
      const env = { SWITCHBOARD_UPSTREAM_URL: fake.url };
      runner = await createTestApp({ databaseUrl: db.url, env, server: { worker: { concurrency: 4 } } });
      // Runs nothing itself: what its clients see of a response comes from the other instance.
      idle = await createTestApp({ databaseUrl: db.url, env, server: { worker: { concurrency: 0 } } });
    });
    after(async () => {
      await Promise.all([runner.stop(), idle.stop()]);
      await db.drop();
      await fake.close();
    });

    it('should replay and follow on one instance a response running on the other, and cancel it from there', async () => {
      const client = idle.client(TEST_KEYS[0]);
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Go on forever.', background: true });
      await halfAnswer(client, r.id, upstream);
      const live = replay(client, r.id);
      const cancelled = await client.responses.cancel(r.id);
      assert.equal(cancelled.status, 'cancelled');
      // The instance running it let go of the upstream call.
      assert.equal(await until(() => upstream.isAborted(), (x) => x), true);
      const events = await live;
      assertWhole(events, 'response.failed');
      const last = events.at(-1);
      assert.ok(last?.type === 'response.failed');
      assert.equal(last.response.status, 'cancelled');
      assert.equal((await client.responses.retrieve(r.id)).status, 'cancelled');
      const [call] = fake.calls.filter((c) => c.path === COMPLETIONS);
      assert.deepEqual(call!.body.messages.at(-1), { role: 'user', content: 'Go on forever.' });
    });
  });
}

/** A spawned server's environment: its own data dir (where its instance id lives) and a long lease. */
function serverEnv(fake: FakeUpstream, dbUrl: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-resp-crash-'));
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
  describe(`background responses after kill -9 (${dialect})`, () => {
    it('should finish the response on the restarted server: one message, its stored events whole', async () => {
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
        const r = await c1.responses.create({ model: 'gpt-4o-mini', input: 'Tell me a story', background: true });
        await halfAnswer(c1, r.id, upstream);
        first.child.kill('SIGKILL');
        await first.exited;

        const second = await spawnServer(env);
        servers.push(second);
        const c2 = new OpenAI({ apiKey: TEST_KEYS[0], baseURL: second.baseURL, maxRetries: 0 });
        await until(() => c2.responses.retrieve(r.id), (x) => x.status === 'completed');
        const events = await replay(c2, r.id);
        assertWhole(events, 'response.completed', { gaps: true });
        assert.equal(events[0]?.sequence_number, 0);
        // What was replayed is what is stored, the terminal event included (not built at read time).
        const store = openDb(db.url);
        try {
          const stored = await store.db.selectFrom('response_events').select('sequence_number').where('response_id', '=', r.id).orderBy('sequence_number').execute();
          assert.deepEqual(stored.map((x) => Number(x.sequence_number)), events.map((e) => e.sequence_number));
        } finally {
          await store.close();
        }
        const added = events.filter((e) => e.type === 'response.output_item.added');
        assert.equal(added.length, 1, 'one output item in the stored stream');
        assert.equal(deltas(events), DEFAULT_TEXT);
        const done = await c2.responses.retrieve(r.id);
        assert.equal(done.status, 'completed');
        assert.equal(done.output.length, 1);
        assert.equal(done.output_text, DEFAULT_TEXT);
        assert.ok(added[0]?.type === 'response.output_item.added');
        assert.equal(added[0].item.id, done.output[0]!.id);
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
