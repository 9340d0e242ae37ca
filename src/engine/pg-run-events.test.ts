import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { pino } from 'pino';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { waitFor } from '../../test/support/until.js';
import { newId } from '../ids.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { EngineEvent } from './engine-events.js';
import { createPgRunEventBus } from './pg-run-events.js';
import type { RunEventBus } from './run-events.js';

// The bus across instances exists only on PostgreSQL.
if (testDialects().includes('postgres')) {
  describe('createPgRunEventBus', () => {
    let store: Store;
    let drop: () => Promise<void>;
    let url: string;
    let a: RunEventBus & { close(): Promise<void> };
    let b: RunEventBus & { close(): Promise<void> };

    before(async () => {
      const created = await createTestDatabaseUrl('postgres');
      drop = created.drop;
      url = created.url;
      store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      const log = pino({ level: 'silent' });
      a = await createPgRunEventBus({ url: created.url, db: store.db, log });
      b = await createPgRunEventBus({ url: created.url, db: store.db, log });
    });

    after(async () => {
      await a?.close();
      await b?.close();
      await store?.db.destroy();
      await drop?.();
    });

    /** A committed run whose instructions are `instructions`. */
    async function insertRun(instructions: string): Promise<RunRow> {
      const threadId = newId('thread');
      await store.db.insertInto('threads').values({ id: threadId, tenant_id: 'ten_1', seq: 1, created_at: 1, metadata: '{}', tool_resources: null }).execute();
      return store.db
        .insertInto('runs')
        .values({
          id: newId('run'),
          tenant_id: 'ten_1',
          thread_id: threadId,
          assistant_id: 'asst_1',
          api_key_id: 'key_1',
          seq: 1,
          created_at: 1,
          status: 'in_progress',
          model: 'gpt-test',
          instructions,
          tools: '[]',
          metadata: '{}',
          parallel_tool_calls: 1,
          attempts: 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    }

    /** What b's subscriber of `runId` hears. */
    function listen(runId: string): EngineEvent[] {
      const heard: EngineEvent[] = [];
      b.subscribe(runId, (e) => heard.push(e));
      return heard;
    }

    it('should relay an event to the other instance whole, in order', async () => {
      const run = await insertRun('short');
      const heard = listen(run.id);
      const events: EngineEvent[] = [
        { type: 'run.status', run },
        { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Hi', annotations: [] },
      ];
      for (const e of events) a.publish(run.id, e);
      await waitFor(() => heard.length === 2, 'both events relayed', 5000);
      assert.deepEqual(heard, events);
    });

    it('should relay an event whose row is too large to send by its id, with the row read back', async () => {
      const run = await insertRun('x'.repeat(10_000));
      const heard = listen(run.id);
      // The row as published differs from the committed one only here, to tell which one arrived.
      a.publish(run.id, { type: 'run.status', run: { ...run, model: 'as-published' } });
      a.publish(run.id, { type: 'turn.usage', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } });
      await waitFor(() => heard.length === 2, 'both events relayed', 5000);
      assert.deepEqual(heard[0], { type: 'run.status', run });
      assert.equal(heard[1]?.type, 'turn.usage');
    });

    it("should relay a tool's large output by its step, read back from the step's recorded outputs", async () => {
      const run = await insertRun('short');
      const output = 'result '.repeat(2000);
      const step = await store.db
        .insertInto('run_steps')
        .values({
          id: newId('step'),
          tenant_id: 'ten_1',
          run_id: run.id,
          thread_id: run.thread_id,
          assistant_id: 'asst_1',
          seq: 1,
          created_at: 1,
          type: 'tool_calls',
          status: 'in_progress',
          step_details: '{"type":"tool_calls","tool_calls":[]}',
          tool_outputs: JSON.stringify({ call_1: output }),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const heard = listen(run.id);
      const event: EngineEvent = { type: 'tool.output', stepId: step.id, index: 0, tool: 'search', callId: 'call_1', output };
      a.publish(run.id, event);
      await waitFor(() => heard.length === 1, 'the output relayed', 5000);
      assert.deepEqual(heard, [event]);
    });

    it('should send the events published in one turn in one NOTIFY', async () => {
      const run = await insertRun('short');
      const raw = new pg.Client({ connectionString: url });
      await raw.connect();
      const payloads: string[] = [];
      raw.on('notification', (msg) => payloads.push(msg.payload ?? ''));
      await raw.query('LISTEN switchboard_run_events');
      const heard = listen(run.id);
      const events: EngineEvent[] = Array.from({ length: 20 }, (_, i) => ({ type: 'message.text', messageId: 'msg_1', part: 0, text: `t${i}`, annotations: [] }));
      for (const e of events) a.publish(run.id, e);
      await waitFor(() => heard.length === 20, 'all events relayed', 5000);
      await raw.end();
      assert.deepEqual(heard, events);
      assert.equal(payloads.length, 1);
    });

    it('should relay a text delta too large for one payload in pieces, multi-byte characters intact', async () => {
      const run = await insertRun('short');
      const heard = listen(run.id);
      const text = 'naïve 😀 “quoted” \\ \n '.repeat(1500);
      const events: EngineEvent[] = [
        { type: 'message.text', messageId: 'msg_1', part: 0, text, annotations: [] },
        { type: 'message.text', messageId: 'msg_1', part: 0, text: 'after', annotations: [] },
      ];
      for (const e of events) a.publish(run.id, e);
      await waitFor(() => heard.length === 2, 'both events relayed', 5000);
      assert.ok(heard[0]?.type === 'message.text' && heard[0].text === text, 'the large text arrives unchanged');
      assert.deepEqual(heard[1], events[1]);
    });

    it('should send the events of a run kept local to no other instance, until its stream ends', async () => {
      const run = await insertRun('held');
      const other = await insertRun('sent');
      const mine: EngineEvent[] = [];
      a.subscribe(run.id, (e) => mine.push(e));
      const relayed = listen(run.id);
      const relayedOther = listen(other.id);
      a.keepLocal?.(run.id);
      const events: EngineEvent[] = [
        { type: 'run.status', run },
        { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Hi', annotations: [] },
        { type: 'run.status', run: { ...run, status: 'completed' } },
      ];
      for (const e of events) a.publish(run.id, e);
      // Sent after them on the same connection: once it is heard, they would have been.
      a.publish(other.id, { type: 'run.status', run: other });
      await waitFor(() => relayedOther.length === 1, "the other run's event relayed", 5000);
      assert.deepEqual(mine, events);
      assert.deepEqual(relayed, []);
      // Its stream ended: the run id is no longer kept local.
      a.publish(run.id, { type: 'run.status', run });
      await waitFor(() => relayed.length === 1, 'an event published after its end relayed', 5000);
    });

    it('should deliver in its own process at once, not twice', async () => {
      const run = await insertRun('mine');
      const heard: EngineEvent[] = [];
      a.subscribe(run.id, (e) => heard.push(e));
      const relayed = listen(run.id);
      a.publish(run.id, { type: 'run.status', run });
      assert.equal(heard.length, 1);
      await waitFor(() => relayed.length === 1, 'the other instance to hear it', 5000);
      assert.equal(heard.length, 1);
    });
  });
}
