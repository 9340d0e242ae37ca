import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createLogger } from '../../src/logger.js';
import type { RunEvent } from '../../src/engine/run-events.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { until, waitFor } from '../support/until.js';

// A client that leaves a POST /v1/responses stream before its end.

const COMPLETIONS = '/v1/chat/completions';

/** What the server logged at level warn or above (pino's JSON lines). */
function warnings() {
  const lines: Array<{ level: number; msg?: string }> = [];
  const log = createLogger('warn', { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg?: string }) });
  return { log, lines };
}

for (const dialect of testDialects()) {
  describe(`a client leaving a responses stream (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    const logged = warnings();

    before(async () => {
      fake = await startFakeUpstream();
      // A stall deadline far longer than the test: only the client's leaving can end the model call.
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { worker: { stallTimeoutMs: 600_000 } }, log: logged.log });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => {
      fake.reset();
      logged.lines.length = 0;
    });

    /** Every row of the tables a response writes (its row, run, hidden thread and what hangs on them). */
    async function rows(): Promise<number> {
      const db = app.server.deps.store.db;
      const tables = ['responses', 'runs', 'threads', 'messages', 'run_steps', 'conversation_items'] as const;
      const counts = await Promise.all(tables.map((t) => db.selectFrom(t).select('id').execute()));
      return counts.reduce((n, found) => n + found.length, 0);
    }

    /** The id of the run behind the model call the fake upstream got last (the engine sends it as x-request-id). */
    function lastCallRunId(): string {
      const id = fake.calls.filter((c) => c.path === COMPLETIONS).at(-1)?.headers['x-request-id'];
      assert.ok(typeof id === 'string' && id.startsWith('run_'), `x-request-id: ${String(id)}`);
      return id;
    }

    it('should end a store:false answer left mid-way with its message announced done (run_cancelled), its run cancelled, no row left', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const [role, first, second] = chatChunks({ content: ['Once upon', ' a time'] });
      const before = await rows();
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Tell me a story', stream: true, store: false });
      const events: RunEvent[] = [];
      let subscribed = false;
      for await (const event of stream) {
        if (event.type === 'response.created') {
          await upstream.started;
          app.server.deps.events.subscribe(lastCallRunId(), (e) => events.push(e));
          subscribed = true;
          upstream.write(role);
          upstream.write(first);
        }
        if (event.type === 'response.output_text.delta') break;
      }
      assert.ok(subscribed);
      // Until the client's leaving is noticed, the model goes on talking (a server that notices only at its next write).
      await waitFor(() => (upstream.isAborted() ? true : (upstream.write(second), false)), 'the model call to be aborted');
      await waitFor(() => events.some((e) => e.type === 'message.done'), 'message.done');
      await waitFor(() => events.some((e) => e.type === 'run.status' && e.run.status === 'cancelled'), "the run's end");
      const done = events.find((e) => e.type === 'message.done');
      assert.equal(done?.type === 'message.done' && done.message.status, 'incomplete');
      assert.deepEqual(done?.type === 'message.done' && JSON.parse(done.message.incomplete_details ?? 'null'), { reason: 'run_cancelled' });
      // (Its start may come after the subscription: a run's first move races the client's reading of response.created.)
      const moves = events.flatMap((e) => (e.type === 'run.status' && e.run.status !== 'in_progress' ? [e.run.status] : []));
      assert.deepEqual(moves, ['cancelling', 'cancelled']);
      assert.equal(await until(rows, (n) => n === before), before, 'no row of the response is left');
      assert.equal(fake.calls.filter((c) => c.path === COMPLETIONS).length, 1);
      assert.deepEqual(logged.lines, []);
    });

    /**
     * The response's id and its run's, from the stream's first events and the model call; then the client leaves (the
     * SDK aborts its request).
     */
    async function leaveAtStart(
      stream: AsyncIterable<{ type: string; response?: { id: string } }>,
      upstream: { started: Promise<void> },
    ): Promise<{ responseId: string; runId: string }> {
      let responseId = '';
      for await (const event of stream) {
        if (event.type === 'response.created') responseId = event.response?.id ?? '';
        if (event.type === 'response.in_progress') break;
      }
      await upstream.started;
      return { responseId, runId: lastCallRunId() };
    }

    it('should stop the model call of a store:false stream as soon as its client leaves, while the model says nothing', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const before = await rows();
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Think long', stream: true, store: false });
      await leaveAtStart(stream, upstream);
      // The model sent its headers and nothing more; the stall deadline (600 s) is far away.
      await waitFor(() => upstream.isAborted(), 'the upstream call to be closed');
      assert.equal(await until(rows, (n) => n === before), before, 'nothing of the response is kept');
      assert.equal(fake.calls.filter((c) => c.path === COMPLETIONS).length, 1);
      assert.deepEqual(logged.lines, []);
    });

    it('should stop listening to a stored stream as soon as its client leaves, and let its response complete and be kept', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Think long', stream: true });
      const { responseId, runId } = await leaveAtStart(stream, upstream);
      await waitFor(() => !app.server.deps.events.hasSubscribers(runId), 'the stream to stop listening to the run');
      assert.equal(upstream.isAborted(), false);
      for (const chunk of chatChunks({ content: 'Done thinking.' })) upstream.write(chunk);
      upstream.end();
      const kept = await until(() => client.responses.retrieve(responseId), (r) => r.status === 'completed');
      assert.equal(kept.status, 'completed');
      assert.equal(kept.output_text, 'Done thinking.');
      assert.deepEqual(logged.lines, []);
    });
  });
}
