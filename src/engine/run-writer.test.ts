import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import type { Message, MessageDeltaEvent } from 'openai/resources/beta/threads/messages';
import type { RunStep, RunStepDeltaEvent, ToolCallDelta } from 'openai/resources/beta/threads/runs/steps';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { newId } from '../ids.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { AssistantStreamEvent } from 'openai/resources/beta/assistants';
import { encodeAssistantEvent } from '../streaming/assistant-stream.js';
import { createToolRegistry } from '../tools/registry.js';
import { createRunEventBus } from './run-events.js';

/** What the writer announces, as the Assistants stream encodes it for clients. */
type RunEvent = AssistantStreamEvent;
const tools = createToolRegistry();
import { RunWriter } from './run-writer.js';
import { relaxedCommits } from '../store/relaxed-commit.js';

const NOW_MS = 1_750_000_123_456;
const NOW_S = 1_750_000_123;
const USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

type Table = 'run_steps' | 'messages';

/** What an event listener saw: the event, and the status its row had in the db at publish time. */
interface Seen {
  event: RunEvent;
  row: Promise<{ status: string } | undefined>;
}

for (const dialect of testDialects()) {
  describe(`RunWriter (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    /** SQLite: a second, synchronous connection, so a listener reads the db at the very moment of publish. */
    let sqliteReader: SQLite.Database | undefined;

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      if (dialect === 'sqlite') sqliteReader = new SQLite(created.url, { readonly: true });
    });

    after(async () => {
      sqliteReader?.close();
      await store?.db.destroy();
      await drop?.();
    });

    /** The row's status as committed now (sqlite: read synchronously; postgres: the query is sent now). */
    function rowStatus(table: Table, id: string): Promise<{ status: string } | undefined> {
      if (sqliteReader) {
        const row = sqliteReader.prepare(`select status from ${table} where id = ?`).get(id) as { status: string } | undefined;
        return Promise.resolve(row);
      }
      return store.db.selectFrom(table).select('status').where('id', '=', id).executeTakeFirst();
    }

    const idOf = (event: RunEvent) => (event.data as { id: string }).id;
    const tableOf = (event: RunEvent): Table => (event.event.startsWith('thread.message') ? 'messages' : 'run_steps');

    /** A thread with a fresh run, a writer over a new bus, and every event it publishes (with the row at that time). */
    async function setup() {
      const threadId = newId('thread');
      await store.db
        .insertInto('threads')
        .values({ id: threadId, tenant_id: 'ten_1', seq: 1, created_at: NOW_S, metadata: '{}', tool_resources: null })
        .execute();
      const run: RunRow = await store.db
        .insertInto('runs')
        .values({
          id: newId('run'),
          tenant_id: 'ten_1',
          thread_id: threadId,
          assistant_id: 'asst_1',
          api_key_id: 'key_1',
          seq: 1,
          created_at: NOW_S,
          status: 'in_progress',
          model: 'gpt-test',
          instructions: '',
          tools: '[]',
          metadata: '{}',
          parallel_tool_calls: 1,
          started_at: NOW_S,
          attempts: 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const events = createRunEventBus();
      const seen: Seen[] = [];
      events.subscribe(run.id, (announced) => {
        for (const event of encodeAssistantEvent(announced, tools)) {
          const deltas = event.event.endsWith('.delta');
          seen.push({ event, row: deltas ? Promise.resolve(undefined) : rowStatus(tableOf(event), idOf(event)) });
        }
      });
      const writer = new RunWriter({ db: store.db, relaxed: relaxedCommits(store.db, dialect), events, ids: newId, now: () => NOW_MS });
      const names = () => seen.map((s) => s.event.event);
      return { run, writer, seen, names };
    }

    const stepRow = (id: string) => store.db.selectFrom('run_steps').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const messageRow = (id: string) => store.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    describe('startMessage', () => {
      it('should publish step.created, step.in_progress, message.created, message.in_progress in that order', async () => {
        const { run, writer, names } = await setup();
        await writer.startMessage(run);
        assert.deepEqual(names(), [
          'thread.run.step.created',
          'thread.run.step.in_progress',
          'thread.message.created',
          'thread.message.in_progress',
        ]);
      });

      it('should have written each row before publishing its event', async () => {
        const { run, writer, seen } = await setup();
        await writer.startMessage(run);
        for (const s of seen) assert.deepEqual(await s.row, { status: 'in_progress' }, `${s.event.event}: row missing at publish`);
      });

      it('should publish a run step wire object for the message_creation step', async () => {
        const { run, writer, seen } = await setup();
        const { step, message } = await writer.startMessage(run);
        const data = seen[0]!.event.data as RunStep;
        assert.deepEqual(data, {
          id: step.id,
          object: 'thread.run.step',
          created_at: NOW_S,
          run_id: run.id,
          assistant_id: 'asst_1',
          thread_id: run.thread_id,
          type: 'message_creation',
          status: 'in_progress',
          cancelled_at: null,
          completed_at: null,
          expired_at: null,
          failed_at: null,
          last_error: null,
          step_details: { type: 'message_creation', message_creation: { message_id: message.id } },
          usage: null,
          metadata: null,
        });
        assert.match(step.id, /^step_/);
      });

      it('should publish a message wire object for the new assistant message', async () => {
        const { run, writer, seen } = await setup();
        const { message } = await writer.startMessage(run);
        const data = seen[2]!.event.data as Message;
        assert.deepEqual(data, {
          id: message.id,
          object: 'thread.message',
          created_at: NOW_S,
          thread_id: run.thread_id,
          status: 'in_progress',
          incomplete_details: null,
          completed_at: null,
          incomplete_at: null,
          role: 'assistant',
          content: [],
          assistant_id: 'asst_1',
          run_id: run.id,
          attachments: [],
          metadata: {},
        });
        assert.match(message.id, /^msg_/);
      });

      it('should order the step before the message in creation order', async () => {
        const { run, writer } = await setup();
        const { step, message } = await writer.startMessage(run);
        assert.ok(Number(step.seq) < Number(message.seq));
      });
    });

    describe('messageDelta', () => {
      it('should publish a thread.message.delta with one text part at index 0', async () => {
        const { run, writer, seen } = await setup();
        writer.messageDelta(run, 'msg_1', 'Hel');
        const expected: MessageDeltaEvent = {
          id: 'msg_1',
          object: 'thread.message.delta',
          delta: { content: [{ index: 0, type: 'text', text: { value: 'Hel', annotations: [] } }] },
        };
        assert.deepEqual(
          seen.map((s) => s.event),
          [{ event: 'thread.message.delta', data: expected }],
        );
      });
    });

    describe('finishMessage', () => {
      it('should complete the message and publish message.completed then step.completed', async () => {
        const { run, writer, seen, names } = await setup();
        const { step, message } = await writer.startMessage(run);
        seen.length = 0;
        await writer.finishMessage(run, { step, message, text: 'Hello', usage: USAGE });
        assert.deepEqual(names(), ['thread.message.completed', 'thread.run.step.completed']);
        for (const s of seen) assert.deepEqual(await s.row, { status: 'completed' }, `${s.event.event}: row not updated at publish`);
      });

      it('should store the completed message with its text and completed_at', async () => {
        const { run, writer, seen } = await setup();
        const { step, message } = await writer.startMessage(run);
        await writer.finishMessage(run, { step, message, text: 'Hello', usage: USAGE });
        const row = await messageRow(message.id);
        assert.equal(row.status, 'completed');
        assert.equal(row.completed_at, NOW_S);
        assert.equal(row.incomplete_at, null);
        assert.equal(row.incomplete_details, null);
        assert.deepEqual(JSON.parse(row.content), [{ type: 'text', text: { value: 'Hello', annotations: [] } }]);
        const data = seen.find((s) => s.event.event === 'thread.message.completed')!.event.data as Message;
        assert.equal(data.status, 'completed');
        assert.equal(data.completed_at, NOW_S);
        assert.deepEqual(data.content, [{ type: 'text', text: { value: 'Hello', annotations: [] } }]);
      });

      it('should complete the step with its usage', async () => {
        const { run, writer, seen } = await setup();
        const { step, message } = await writer.startMessage(run);
        await writer.finishMessage(run, { step, message, text: 'Hello', usage: USAGE });
        const row = await stepRow(step.id);
        assert.equal(row.status, 'completed');
        assert.equal(row.completed_at, NOW_S);
        assert.deepEqual(JSON.parse(row.usage!), USAGE);
        const data = seen.find((s) => s.event.event === 'thread.run.step.completed')!.event.data as RunStep;
        assert.equal(data.status, 'completed');
        assert.equal(data.completed_at, NOW_S);
        assert.deepEqual(data.usage, USAGE);
      });

      it('should mark the message incomplete with its reason and publish message.incomplete then step.completed', async () => {
        const { run, writer, seen, names } = await setup();
        const { step, message } = await writer.startMessage(run);
        seen.length = 0;
        await writer.finishMessage(run, { step, message, text: 'Hel', usage: USAGE, incomplete: 'max_tokens' });
        assert.deepEqual(names(), ['thread.message.incomplete', 'thread.run.step.completed']);
        const row = await messageRow(message.id);
        assert.equal(row.status, 'incomplete');
        assert.equal(row.incomplete_at, NOW_S);
        assert.equal(row.completed_at, null);
        assert.deepEqual(JSON.parse(row.incomplete_details!), { reason: 'max_tokens' });
        const data = seen[0]!.event.data as Message;
        assert.equal(data.status, 'incomplete');
        assert.deepEqual(data.incomplete_details, { reason: 'max_tokens' });
        assert.equal(data.incomplete_at, NOW_S);
        assert.deepEqual(await seen[0]!.row, { status: 'incomplete' });
      });

      it('should end the step with the given stepStatus', async () => {
        const { run, writer, seen, names } = await setup();
        const { step, message } = await writer.startMessage(run);
        seen.length = 0;
        await writer.finishMessage(run, { step, message, text: 'Hel', usage: null, incomplete: 'run_cancelled', stepStatus: 'cancelled' });
        assert.deepEqual(names(), ['thread.message.incomplete', 'thread.run.step.cancelled']);
        const row = await stepRow(step.id);
        assert.equal(row.status, 'cancelled');
        assert.equal(row.cancelled_at, NOW_S);
        assert.equal(row.completed_at, null);
        assert.equal(row.usage, null);
      });
    });

    describe('tool calls', () => {
      it('should start a tool_calls step and publish step.created then step.in_progress', async () => {
        const { run, writer, seen, names } = await setup();
        const step = await writer.startToolCalls(run);
        assert.deepEqual(names(), ['thread.run.step.created', 'thread.run.step.in_progress']);
        const data = seen[0]!.event.data as RunStep;
        assert.equal(data.object, 'thread.run.step');
        assert.equal(data.type, 'tool_calls');
        assert.deepEqual(data.step_details, { type: 'tool_calls', tool_calls: [] });
        assert.equal(step.type, 'tool_calls');
        for (const s of seen) assert.deepEqual(await s.row, { status: 'in_progress' });
      });

      it('should publish a thread.run.step.delta holding the one call delta', async () => {
        const { run, writer, seen } = await setup();
        const ref = { stepId: 'step_1', index: 0, tool: 'function' };
        writer.announce(run, { type: 'tool.call.started', ...ref, callId: 'call_1', name: 'f' });
        writer.announce(run, { type: 'tool.call.arguments', ...ref, delta: '{"a"' });
        const calls: ToolCallDelta[] = [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '', output: null } },
          { index: 0, type: 'function', function: { arguments: '{"a"' } },
        ];
        const expected = calls.map(
          (call): RunStepDeltaEvent => ({
            id: 'step_1',
            object: 'thread.run.step.delta',
            delta: { step_details: { type: 'tool_calls', tool_calls: [call] } },
          }),
        );
        assert.deepEqual(
          seen.map((s) => s.event),
          expected.map((data) => ({ event: 'thread.run.step.delta', data })),
        );
      });

      it('should save the calls and their outputs on the step', async () => {
        const { run, writer } = await setup();
        const step = await writer.startToolCalls(run);
        const calls = [{ id: 'call_1', type: 'function' as const, function: { name: 'f', arguments: '{}', output: null } }];
        const saved = await writer.saveToolCalls(run, step.id, calls, { call_1: 'ok' });
        assert.deepEqual(JSON.parse(saved!.step_details), { type: 'tool_calls', tool_calls: calls });
        assert.deepEqual(JSON.parse(saved!.tool_outputs!), { call_1: 'ok' });
      });
    });

    describe('closeOpenSteps', () => {
      it('should cancel only the steps still in progress and publish step.cancelled for each', async () => {
        const { run, writer, seen, names } = await setup();
        const { step: done, message } = await writer.startMessage(run);
        await writer.finishMessage(run, { step: done, message, text: 'x', usage: null });
        const open = await writer.startToolCalls(run);
        seen.length = 0;
        await writer.closeOpenSteps(run, 'cancelled');
        assert.deepEqual(names(), ['thread.run.step.cancelled']);
        assert.equal(idOf(seen[0]!.event), open.id);
        assert.deepEqual(await seen[0]!.row, { status: 'cancelled' });
        const row = await stepRow(open.id);
        assert.equal(row.status, 'cancelled');
        assert.equal(row.cancelled_at, NOW_S);
        assert.equal((await stepRow(done.id)).status, 'completed');
      });

      it('should expire open steps with expired_at and publish step.expired', async () => {
        const { run, writer, names } = await setup();
        const first = await writer.startToolCalls(run);
        const second = await writer.startToolCalls(run);
        await writer.closeOpenSteps(run, 'expired');
        assert.deepEqual(names().slice(4), ['thread.run.step.expired', 'thread.run.step.expired']);
        for (const id of [first.id, second.id]) {
          const row = await stepRow(id);
          assert.equal(row.status, 'expired');
          assert.equal(row.expired_at, NOW_S);
        }
      });

      it('should publish nothing when no step is open', async () => {
        const { run, writer, names } = await setup();
        await writer.closeOpenSteps(run, 'cancelled');
        assert.deepEqual(names(), []);
      });
    });

    describe('finishStep', () => {
      it('should fail a step with last_error and failed_at and publish step.failed', async () => {
        const { run, writer, seen, names } = await setup();
        const step = await writer.startToolCalls(run);
        seen.length = 0;
        await writer.finishStep(run, step, { status: 'failed', lastError: { code: 'server_error', message: 'boom' } });
        assert.deepEqual(names(), ['thread.run.step.failed']);
        const data = seen[0]!.event.data as RunStep;
        assert.deepEqual(data.last_error, { code: 'server_error', message: 'boom' });
        assert.equal(data.failed_at, NOW_S);
        assert.equal((await stepRow(step.id)).status, 'failed');
      });
    });

    describe('a run held in memory (hold)', () => {
      /** The rows of the run's steps and messages in the database. */
      const written = async (runId: string) =>
        (await store.db.selectFrom('run_steps').select('id').where('run_id', '=', runId).execute()).length +
        (await store.db.selectFrom('messages').select('id').where('run_id', '=', runId).execute()).length;

      it('should write none of its steps and messages, announce them as for any run, and serve its steps back', async () => {
        const { run, writer, names } = await setup();
        writer.hold(run.id);
        await writer.finishReasoning(run, { id: 'rs_1', text: 'Hmm.', status: 'completed' });
        const { step: messageStep, message } = await writer.startMessage(run, 'rs_1');
        await writer.finishMessage(run, { step: messageStep, message, text: 'Looking.', usage: null });
        const step = await writer.startToolCalls(run);
        const calls = [{ id: 'call_1', type: 'function' as const, function: { name: 'f', arguments: '{}', output: null } }];
        await writer.saveToolCalls(run, step.id, calls, { call_1: 'ok' });
        await writer.finishStep(run, step, { status: 'completed', usage: USAGE });
        assert.equal(await written(run.id), 0);
        const reasoning = await store.db.selectFrom('conversation_items').select('id').where('id', '=', 'rs_1').execute();
        assert.equal(reasoning.length, 0);
        // What a later turn reads: the thread's history with the run's reasoning and ended message.
        const history = writer.history(run.id);
        assert.deepEqual(history?.items.map((i) => [i.id, i.type]), [['rs_1', 'reasoning']]);
        assert.deepEqual(history?.messages.map((m) => [m.id, m.status, (JSON.parse(m.content) as Array<{ text: { value: string } }>)[0]!.text.value]), [[message.id, 'completed', 'Looking.']]);
        assert.deepEqual(names().filter((n) => !n.endsWith('.delta')), [
          'thread.run.step.created',
          'thread.run.step.in_progress',
          'thread.message.created',
          'thread.message.in_progress',
          'thread.message.completed',
          'thread.run.step.completed',
          'thread.run.step.created',
          'thread.run.step.in_progress',
          'thread.run.step.completed',
        ]);
        const steps = await writer.steps(run.id);
        assert.deepEqual(steps.map((s) => [s.id, s.type, s.status]), [
          [messageStep.id, 'message_creation', 'completed'],
          [step.id, 'tool_calls', 'completed'],
        ]);
        assert.deepEqual(JSON.parse(steps[1]!.tool_outputs!), { call_1: 'ok' });
        assert.deepEqual(JSON.parse(steps[1]!.usage!), USAGE);
      });

      it('should end a turn on the client\'s calls in memory, and read the run\'s steps from the database once released', async () => {
        const { run, writer, names } = await setup();
        writer.hold(run.id);
        const step = await writer.startToolCalls(run);
        const calls = [{ id: 'call_1', type: 'function' as const, function: { name: 'f', arguments: '{}', output: null } }];
        await writer.endOnClientCalls(run, { id: step.id, calls, outputs: {}, usage: USAGE }, [{ id: 'call_1', name: 'f', arguments: '{}' }]);
        assert.equal(names().at(-1), 'thread.run.step.completed');
        assert.equal((await writer.steps(run.id))[0]?.status, 'completed');
        const items = await store.db.selectFrom('conversation_items').select('id').where('thread_id', '=', run.thread_id).execute();
        assert.deepEqual([await written(run.id), items.length], [0, 0]);
        writer.release(run.id);
        assert.deepEqual(await writer.steps(run.id), []);
        assert.equal(writer.history(run.id), undefined);
      });
    });
  });
}
