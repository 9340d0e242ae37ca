import type { Annotation, MessageContent } from 'openai/resources/beta/threads/messages';
import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { IdGenerator } from '../ids.js';
import type { Store } from '../store/open-db.js';
import type { RelaxedWrite } from '../store/relaxed-commit.js';
import { toJson } from '../store/json.js';
import { insertFunctionCallItems } from '../store/repos/conversation-items.repo.js';
import { insertRunMessage, updateRunMessage } from '../store/repos/run-messages.repo.js';
import { insertRunStep, listAllRunSteps, updateRunStep } from '../store/repos/run-steps.repo.js';
import { nextSeq } from '../store/seq.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { NewRunStepRow, RunStepRow, RunStepStatus, RunStepUpdate } from '../store/tables/run-steps.table.js';
import type { EngineEvent, TextAnnotation } from './engine-events.js';
import type { RunEventBus } from './run-events.js';

export interface StepUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/**
 * Writes a run's steps and messages, then announces each change as an engine event: nothing is
 * published before it is committed. Order follows OpenAI's: step started, message started, its
 * text…, message done, step done. What a turn writes while the run goes on is committed relaxed
 * (store/relaxed-commit.ts: a resumed run deletes the steps it left unfinished); the run's end, which
 * the client is told of, waits for the disk and so flushes them all.
 */
export class RunWriter {
  readonly #db: Store['db'];
  readonly #events: RunEventBus;
  readonly #ids: IdGenerator;
  readonly #now: () => number;
  readonly #relaxed: RelaxedWrite;

  constructor(opts: { db: Store['db']; relaxed: RelaxedWrite; events: RunEventBus; ids: IdGenerator; now: () => number }) {
    this.#db = opts.db;
    this.#relaxed = opts.relaxed;
    this.#events = opts.events;
    this.#ids = opts.ids;
    this.#now = opts.now;
  }

  #nowS(): number {
    return Math.floor(this.#now() / 1000);
  }

  /** Announces what needs no write first (text and tool-call deltas, tool output already saved, usage). */
  announce(run: RunRow, event: EngineEvent): void {
    this.#events.publish(run.id, event);
  }

  #stepRow(run: RunRow, type: RunStepRow['type'], details: unknown): NewRunStepRow {
    return {
      id: this.#ids('step'),
      tenant_id: run.tenant_id,
      run_id: run.id,
      thread_id: run.thread_id,
      assistant_id: run.assistant_id,
      seq: nextSeq(this.#now()),
      created_at: this.#nowS(),
      type,
      status: 'in_progress',
      step_details: toJson(details),
      tool_outputs: null,
      last_error: null,
      usage: null,
      metadata: null,
      expired_at: null,
      cancelled_at: null,
      failed_at: null,
      completed_at: null,
    };
  }

  /** An assistant message being written, and its message_creation step, in one transaction. */
  async startMessage(run: RunRow): Promise<{ step: RunStepRow; message: MessageRow }> {
    const messageId = this.#ids('msg');
    const stepRow = this.#stepRow(run, 'message_creation', { type: 'message_creation', message_creation: { message_id: messageId } });
    const { step, message } = await this.#relaxed(async (trx) => ({
      step: await insertRunStep(trx, stepRow),
      message: await insertRunMessage(trx, {
        id: messageId,
        tenant_id: run.tenant_id,
        thread_id: run.thread_id,
        seq: nextSeq(this.#now()),
        created_at: this.#nowS(),
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
      }),
    }));
    this.announce(run, { type: 'step.started', step });
    this.announce(run, { type: 'message.started', message });
    return { step, message };
  }

  /**
   * A piece of the message's text, with the annotations it completes; `part` is the text's place
   * in the content (after any images).
   */
  messageDelta(run: RunRow, messageId: string, text: string, opts: { part?: number; annotations?: TextAnnotation[] } = {}): void {
    this.announce(run, { type: 'message.text', messageId, part: opts.part ?? 0, text, annotations: opts.annotations ?? [] });
  }

  /** Images that open the message (figures the run's tools made). */
  messageImages(run: RunRow, messageId: string, fileIds: string[]): void {
    this.announce(run, { type: 'message.images', messageId, fileIds });
  }

  /** Ends the message (completed, or incomplete with a reason) and its step. */
  async finishMessage(
    run: RunRow,
    opts: {
      step: RunStepRow;
      message: MessageRow;
      text: string;
      usage: StepUsage | null;
      incomplete?: string;
      stepStatus?: RunStepStatus;
      annotations?: Annotation[];
      /** image_file parts before the text. */
      images?: string[];
    },
  ): Promise<void> {
    const nowS = this.#nowS();
    const content: MessageContent[] = [
      ...(opts.images ?? []).map((file_id): MessageContent => ({ type: 'image_file', image_file: { file_id } })),
      { type: 'text', text: { value: opts.text, annotations: opts.annotations ?? [] } },
    ];
    const stepStatus = opts.stepStatus ?? 'completed';
    const { message, step } = await this.#relaxed(async (trx) => ({
      message: await updateRunMessage(trx, opts.message.id, {
        content: toJson(content),
        status: opts.incomplete ? 'incomplete' : 'completed',
        completed_at: opts.incomplete ? null : nowS,
        incomplete_at: opts.incomplete ? nowS : null,
        incomplete_details: opts.incomplete ? toJson({ reason: opts.incomplete }) : null,
      }),
      step: await updateRunStep(trx, opts.step.id, stepEnd(stepStatus, nowS, { usage: opts.usage })),
    }));
    if (message) this.announce(run, { type: 'message.done', message });
    if (step && stepStatus !== 'in_progress') this.announce(run, { type: 'step.done', step });
  }

  /** A tool_calls step; its details grow as the model streams the calls. */
  async startToolCalls(run: RunRow): Promise<RunStepRow> {
    const row = this.#stepRow(run, 'tool_calls', { type: 'tool_calls', tool_calls: [] });
    const step = await this.#relaxed((trx) => insertRunStep(trx, row));
    this.announce(run, { type: 'step.started', step });
    return step;
  }

  /** Records the calls (and, for server tools, their outputs) on the step. */
  async saveToolCalls(stepId: string, calls: ToolCall[], outputs: Record<string, string>): Promise<RunStepRow | undefined> {
    const patch = { step_details: toJson({ type: 'tool_calls', tool_calls: calls }), tool_outputs: toJson(outputs) };
    return this.#relaxed((trx) => updateRunStep(trx, stepId, patch));
  }

  /**
   * Ends a turn on the client's calls (a run with client_calls `end`): in one transaction the step gets its calls
   * (and the server tools' outputs), completes with the turn's usage, and each of `clientCalls` becomes a
   * function_call item of the thread, in order (its id in the step's tool_outputs under `<call id>:item`); then `saved` (the server tools' outputs) and step.done are
   * announced. A crash leaves all or none of it.
   */
  async endOnClientCalls(
    run: RunRow,
    step: { id: string; calls: ToolCall[]; outputs: Record<string, string>; usage: StepUsage | null },
    clientCalls: ReadonlyArray<{ id: string; name: string; arguments: string }>,
    saved: readonly EngineEvent[] = [],
  ): Promise<void> {
    const nowS = this.#nowS();
    const items = clientCalls.map((c) => ({ call: c, id: this.#ids('fc') }));
    // `<call id>:item` → the function_call item's id: what an encoder of step.done needs to name the item.
    const outputs = { ...step.outputs, ...Object.fromEntries(items.map((i) => [`${i.call.id}:item`, i.id])) };
    const done = await this.#db.transaction().execute(async (trx) => {
      const updated = await updateRunStep(trx, step.id, {
        step_details: toJson({ type: 'tool_calls', tool_calls: step.calls }),
        tool_outputs: toJson(outputs),
        status: 'completed',
        completed_at: nowS,
        usage: step.usage ? toJson(step.usage) : null,
      });
      await insertFunctionCallItems(
        trx,
        items.map(({ call: c, id }) => ({
          id,
          tenantId: run.tenant_id,
          threadId: run.thread_id,
          seq: nextSeq(this.#now()),
          createdAt: nowS,
          callId: c.id,
          name: c.name,
          arguments: c.arguments,
        })),
      );
      return updated;
    });
    for (const event of saved) this.announce(run, event);
    if (done) this.announce(run, { type: 'step.done', step: done });
  }

  /** Ends every step still in progress (a cancelled or expired run's open tool call). */
  async closeOpenSteps(run: RunRow, status: 'cancelled' | 'expired'): Promise<void> {
    for (const step of await listAllRunSteps(this.#db, run.id))
      if (step.status === 'in_progress') await this.finishStep(run, step, { status });
  }

  async finishStep(
    run: RunRow,
    step: RunStepRow,
    opts: { status: RunStepStatus; usage?: StepUsage | null; lastError?: { code: string; message: string } },
  ): Promise<void> {
    const updated = await updateRunStep(this.#db, step.id, stepEnd(opts.status, this.#nowS(), opts));
    if (updated && opts.status !== 'in_progress') this.announce(run, { type: 'step.done', step: updated });
  }
}

/** The columns that end a step with `status` (its time column, and usage and error when given). */
function stepEnd(
  status: RunStepStatus,
  nowS: number,
  opts: { usage?: StepUsage | null; lastError?: { code: string; message: string } },
): RunStepUpdate {
  const column = { completed: 'completed_at', failed: 'failed_at', cancelled: 'cancelled_at', expired: 'expired_at', in_progress: null }[status];
  return {
    status,
    ...(column ? { [column]: nowS } : {}),
    ...(opts.usage !== undefined ? { usage: opts.usage ? toJson(opts.usage) : null } : {}),
    ...(opts.lastError ? { last_error: toJson(opts.lastError) } : {}),
  };
}
