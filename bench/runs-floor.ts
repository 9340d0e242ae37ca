/**
 * The floor for bench/runs.bench.ts: the store's own rate for the database work of one run, with no
 * HTTP, no model call, no events — "runs/s if the database were the only cost".
 *
 * One simulated run is exactly the statements Switchboard's code issues for
 * `POST /threads/runs` + one model turn that answers with text, using the same repo functions
 * (so the same SQL, `RETURNING *` included), in the same order, each committed on its own:
 *
 *   commit 1  transaction: select assistant, insert thread, insert user message, insert run
 *             (runs.service createThreadAndRun)
 *   commit 2  update run: claim the lease                     (run-worker → claimRun)
 *   commit 3  update run: queued → in_progress                (run-driver → transition)
 *   commit 4  insert run step (message_creation)              (run-writer startMessage)
 *   commit 5  insert assistant message                        (run-writer startMessage)
 *   commit 6  update message: content, completed              (run-writer finishMessage)
 *   commit 7  update run step: completed, usage               (run-writer finishStep)
 *   commit 8  update run: in_progress → completed, usage      (run-driver → transition)
 *
 * = 8 commits, 10 rows written. Not included: the lease renewal (every leaseMs/3 = 10 s, so never
 * within a run this short) and usage metering (buffered, flushed in batches every few seconds).
 * With `withReads`, the reads the engine does between those writes are added too: find the run
 * before the turn, the thread's messages and the run's steps for the prompt (3 statements).
 */
import type { Kysely } from 'kysely';
import { transition } from '../src/engine/run-state.js';
import { newId } from '../src/ids.js';
import type { Database, DialectName } from '../src/store/database.js';
import { migrateToLatest, openDb } from '../src/store/open-db.js';
import { findAssistant, insertAssistant } from '../src/store/repos/assistants.repo.js';
import { insertMessages } from '../src/store/repos/messages.repo.js';
import { insertRunMessage, threadMessagesForPrompt, updateRunMessage } from '../src/store/repos/run-messages.repo.js';
import { insertRunStep, listAllRunSteps, updateRunStep } from '../src/store/repos/run-steps.repo.js';
import { claimRun, findRunById, insertRun } from '../src/store/repos/runs.repo.js';
import { insertThread } from '../src/store/repos/threads.repo.js';
import { nextSeq } from '../src/store/seq.js';

export const FLOOR_COMMITS_PER_RUN = 8;
export const FLOOR_ROWS_WRITTEN_PER_RUN = 10;

const TENANT = 'tenant_bench';
const ANSWER = 'Hello from the fake upstream.';
const USAGE = JSON.stringify({ prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 });

export interface FloorResult {
  runs: number;
  seconds: number;
  runsPerSecond: number;
  /** Wall time of one simulated run (ms), ascending. */
  latenciesMs: number[];
}

async function oneRun(db: Kysely<Database>, dialect: DialectName, assistantId: string, owner: string, withReads: boolean): Promise<void> {
  const nowMs = Date.now();
  const nowS = Math.floor(nowMs / 1000);
  // 1. createThreadAndRun's transaction.
  const run = await db.transaction().execute(async (trx) => {
    const assistant = await findAssistant(trx, TENANT, assistantId);
    if (!assistant) throw new Error('floor: assistant missing');
    const thread = await insertThread(trx, {
      id: newId('thread'),
      tenant_id: TENANT,
      seq: nextSeq(nowMs),
      created_at: nowS,
      metadata: '{}',
      tool_resources: null,
    });
    await insertMessages(trx, [
      {
        id: newId('msg'),
        tenant_id: TENANT,
        thread_id: thread.id,
        seq: nextSeq(nowMs),
        created_at: nowS,
        role: 'user',
        content: JSON.stringify([{ type: 'text', text: { value: 'hi', annotations: [] } }]),
        attachments: '[]',
        metadata: '{}',
        assistant_id: null,
        run_id: null,
        status: 'completed',
        incomplete_details: null,
        completed_at: null,
        incomplete_at: null,
      },
    ]);
    return insertRun(trx, {
      id: newId('run'),
      tenant_id: TENANT,
      api_key_id: 'key_bench',
      thread_id: thread.id,
      assistant_id: assistant.id,
      seq: nextSeq(nowMs),
      created_at: nowS,
      status: 'queued',
      model: assistant.model,
      instructions: assistant.instructions ?? '',
      tools: assistant.tools,
      tool_resources: null,
      metadata: '{}',
      temperature: null,
      top_p: null,
      max_prompt_tokens: null,
      max_completion_tokens: null,
      truncation_strategy: JSON.stringify({ type: 'auto', last_messages: null }),
      response_format: JSON.stringify('auto'),
      tool_choice: JSON.stringify('auto'),
      parallel_tool_calls: 1,
      reasoning_effort: null,
      required_action: null,
      last_error: null,
      incomplete_details: null,
      usage: null,
      expires_at: nowS + 600,
      started_at: null,
      cancelled_at: null,
      failed_at: null,
      completed_at: null,
      lease_owner: null,
      lease_expires_at: null,
      attempts: 0,
    });
  });
  // 2. The worker claims it.
  const claimed = await claimRun(db, { dialect, owner, nowMs: Date.now(), leaseMs: 30_000, runId: run.id });
  if (!claimed) throw new Error('floor: claim failed');
  // 3. queued → in_progress.
  const started = await transition(db, claimed, 'in_progress', { nowMs: Date.now() });
  if (!started) throw new Error('floor: transition to in_progress failed');
  if (withReads) {
    await findRunById(db, run.id);
    await Promise.all([threadMessagesForPrompt(db, run.thread_id), listAllRunSteps(db, run.id)]);
  }
  // 4.–5. The message_creation step and the assistant message.
  const messageId = newId('msg');
  const step = await insertRunStep(db, {
    id: newId('step'),
    tenant_id: TENANT,
    run_id: run.id,
    thread_id: run.thread_id,
    assistant_id: run.assistant_id,
    seq: nextSeq(Date.now()),
    created_at: Math.floor(Date.now() / 1000),
    type: 'message_creation',
    status: 'in_progress',
    step_details: JSON.stringify({ type: 'message_creation', message_creation: { message_id: messageId } }),
    tool_outputs: null,
    last_error: null,
    usage: null,
    metadata: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
  });
  await insertRunMessage(db, {
    id: messageId,
    tenant_id: TENANT,
    thread_id: run.thread_id,
    seq: nextSeq(Date.now()),
    created_at: Math.floor(Date.now() / 1000),
    role: 'assistant',
    content: '[]',
    attachments: '[]',
    metadata: '{}',
    assistant_id: run.assistant_id,
    run_id: run.id,
    status: 'in_progress',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
  });
  // 6.–7. Message and step completed.
  const doneS = Math.floor(Date.now() / 1000);
  await updateRunMessage(db, messageId, {
    content: JSON.stringify([{ type: 'text', text: { value: ANSWER, annotations: [] } }]),
    status: 'completed',
    completed_at: doneS,
    incomplete_at: null,
    incomplete_details: null,
  });
  await updateRunStep(db, step.id, { status: 'completed', completed_at: doneS, usage: USAGE });
  // 8. in_progress → completed.
  const done = await transition(db, started, 'completed', { nowMs: Date.now(), patch: { usage: USAGE } });
  if (!done) throw new Error('floor: transition to completed failed');
}

/**
 * Opens `url` with Switchboard's own openDb (SQLite: WAL + synchronous=FULL; PostgreSQL: a pool of
 * 10, as the server uses), migrates it, and performs `runs` simulated runs, `concurrency` at a time.
 */
export async function measureFloor(
  url: string,
  opts: { runs: number; concurrency: number; warmup: number; withReads: boolean },
): Promise<FloorResult> {
  const store = openDb(url);
  try {
    const migrated = await migrateToLatest(store.db);
    if (migrated.error) throw migrated.error;
    const assistant = await insertAssistant(store.db, {
      id: newId('asst'),
      tenant_id: TENANT,
      seq: nextSeq(),
      created_at: Math.floor(Date.now() / 1000),
      name: null,
      description: null,
      model: 'fake-model',
      instructions: 'You are terse.',
      tools: '[]',
      tool_resources: null,
      metadata: '{}',
      temperature: null,
      top_p: null,
      response_format: null,
      reasoning_effort: null,
    });
    const owner = `worker_bench_floor`;
    const one = () => oneRun(store.db, store.dialect, assistant.id, owner, opts.withReads);
    for (let i = 0; i < opts.warmup; i++) await one();

    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency, opts.runs) }, async () => {
        while (next < opts.runs) {
          next++;
          const t0 = performance.now();
          await one();
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { runs: opts.runs, seconds, runsPerSecond: opts.runs / seconds, latenciesMs: latencies.sort((a, b) => a - b) };
  } finally {
    await store.close();
  }
}
