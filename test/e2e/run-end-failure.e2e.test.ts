import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { failingStatements } from '../support/failing-statements.js';
import { waitFor } from '../support/until.js';

// A run's end (its last turn's writes and its status, one transaction) that the database refuses: the run ends failed
// with a server_error (written on its own, if the database takes that), the client is told so, and nothing waits for
// a lease to lapse or calls the model again.

const COMPLETIONS = '/v1/chat/completions';
/** The compare-and-set that would move a run to `completed`. */
const completing = (sql: string, parameters: readonly unknown[]) => /^update "runs" set/i.test(sql) && parameters.includes('completed');
/**
 * Every move of a run's status (run-status.repo.ts's compare-and-set, which sets plain values, "status" among them):
 * the database takes nothing. Not the worker's claim, whose set reads "status" in a `case` and which a poll may send
 * at any moment.
 */
const anyMove = (sql: string) => /^update "runs" set (?:"\w+" = (?:\$\d+|\?), )*"status" = (?:\$\d+|\?)[, ]/i.test(sql);

/** Reads an SSE stream in the background: its events' types, the last event, whether it ended. */
function drain<E extends { type?: string; event?: string }>(stream: AsyncIterable<E>) {
  const seen = { types: [] as string[], last: undefined as E | undefined, ended: false, error: undefined as unknown };
  void (async () => {
    try {
      for await (const e of stream) {
        seen.types.push(e.type ?? e.event ?? '');
        seen.last = e;
      }
    } catch (err) {
      seen.error = err;
    } finally {
      seen.ended = true;
    }
  })();
  return seen;
}

for (const dialect of testDialects()) {
  describe(`a run's end the database refuses (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    let failing: ReturnType<typeof failingStatements> | undefined;
    const upstreamCalls = () => fake.calls.filter((c) => c.path === COMPLETIONS).length;

    before(async () => {
      fake = await startFakeUpstream();
      // A lease far longer than the test: a run left to its lapse would be seen hanging, not re-run.
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { worker: { leaseMs: 600_000 } } });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());
    afterEach(() => {
      failing?.dispose();
      failing = undefined;
    });

    it('should end an Assistants run stream with thread.run.failed (server_error), the run failed, the model called once', async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o-mini' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
      failing = failingStatements(completing);
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      const seen = drain(stream);
      try {
        await waitFor(() => seen.ended, 'the run stream to end');
      } finally {
        stream.abort();
      }
      assert.equal(seen.error, undefined);
      assert.equal(failing.hits, 1);
      assert.equal(seen.types.at(-1), 'thread.run.failed');
      const failed = seen.last?.event === 'thread.run.failed' ? seen.last.data : undefined;
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.last_error?.code, 'server_error');
      assert.match(failed?.last_error?.message ?? '', /could not be saved/);
      const run = await client.beta.threads.runs.retrieve(failed!.id, { thread_id: thread.id });
      assert.deepEqual([run.status, run.last_error], ['failed', failed!.last_error]);
      assert.equal(upstreamCalls(), 1);
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
      assert.deepEqual(steps.data.map((s) => [s.type, s.status]), [['message_creation', 'failed']]);
      assert.deepEqual(seen.types.slice(-2), ['thread.run.step.failed', 'thread.run.failed']);

      // A restart finds the run ended: it is not resumed, and the model is not called again.
      failing.dispose();
      await app.stop();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, databaseUrl: app.databaseUrl });
      client = app.client();
      // The restarted worker's first poll claims whatever it resumes before this run, which it then runs.
      const other = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } });
      assert.equal(other.status, 'completed');
      const later = await client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
      assert.deepEqual([later.status, later.last_error], ['failed', failed!.last_error]);
      assert.equal(upstreamCalls(), 2, 'the failed run is not run again');
    });

    it('should end a streamed response with response.failed (server_error), the response failed, the model called once', async () => {
      failing = failingStatements(completing);
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', stream: true });
      const seen = drain(stream);
      try {
        await waitFor(() => seen.ended, 'the response stream to end');
      } finally {
        stream.controller.abort();
      }
      assert.equal(seen.error, undefined);
      assert.equal(failing.hits, 1);
      assert.equal(seen.types.at(-1), 'response.failed');
      const failed = seen.last?.type === 'response.failed' ? seen.last.response : undefined;
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.error?.code, 'server_error');
      const stored = await client.responses.retrieve(failed!.id);
      assert.deepEqual([stored.status, stored.error], ['failed', failed!.error]);
      assert.equal(upstreamCalls(), 1);
    });

    it('should end a store:false stream with response.failed when the end that deletes its rows is refused', async () => {
      // One whose rows are written: it continues a stored response (one on a thread of its own writes none).
      const previous = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi' });
      failing = failingStatements((sql) => /^delete from "responses"/i.test(sql));
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', stream: true, store: false, previous_response_id: previous.id });
      const seen = drain(stream);
      try {
        await waitFor(() => seen.ended, 'the response stream to end');
      } finally {
        stream.controller.abort();
      }
      assert.equal(seen.error, undefined);
      assert.ok(failing.hits >= 1);
      assert.equal(seen.types.at(-1), 'response.failed');
      const failed = seen.last?.type === 'response.failed' ? seen.last.response : undefined;
      assert.equal(failed?.error?.code, 'server_error');
      assert.equal(upstreamCalls(), 2);
    });

    it('should answer a non-streamed response failed (server_error), as a model failure does', async () => {
      failing = failingStatements(completing);
      // A deadline, not a measure: without one, a call that never ends would hang the suite.
      const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi' }, { timeout: 10_000 });
      assert.equal(failing.hits, 1);
      assert.equal(response.status, 'failed');
      assert.equal(response.error?.code, 'server_error');
      assert.equal(upstreamCalls(), 1);
    });

    it('should still end the stream failed when the database takes not even the failure', async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o-mini' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      const seen = drain(stream);
      try {
        const chunks = chatChunks({ content: ['Hel', 'lo.'] });
        for (const chunk of chunks.slice(0, 2)) upstream.write(chunk);
        await waitFor(() => seen.types.includes('thread.message.delta'), 'the answer to start');
        failing = failingStatements(anyMove);
        for (const chunk of chunks.slice(2)) upstream.write(chunk);
        upstream.end();
        await waitFor(() => seen.ended, 'the run stream to end');
      } finally {
        stream.abort();
      }
      assert.equal(seen.types.at(-1), 'thread.run.failed');
      assert.deepEqual(failing.failed.slice(0, 2).map((sql) => /^update "runs" set "(\w+)_at"/.exec(sql)?.[1]), ['completed', 'failed']);
      assert.equal(upstreamCalls(), 1);
    });
  });
}
