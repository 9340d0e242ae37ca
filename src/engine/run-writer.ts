import type { Annotation, MessageContent } from 'openai/resources/beta/threads/messages';
import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { IdGenerator } from '../ids.js';
import type { Db } from '../store/database.js';
import type { Store } from '../store/open-db.js';
import type { RelaxedWrite } from '../store/relaxed-commit.js';
import { insertFunctionCallItems, insertReasoningItem, reasoningItemRow } from '../store/repos/conversation-items.repo.js';
import { fromJson, toJson } from '../store/json.js';
import { insertRunMessage, updateRunMessage, type ThreadHistory } from '../store/repos/run-messages.repo.js';
import { insertRunStep, listAllRunSteps, updateRunStep } from '../store/repos/run-steps.repo.js';
import { nextSeq } from '../store/seq.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { NewRunStepRow, RunStepRow, RunStepStatus, RunStepUpdate } from '../store/tables/run-steps.table.js';
import type { EngineEvent, TextAnnotation } from './engine-events.js';
import type { TokenLogprob } from '../providers/chat-model.js';
import type { RunEventBus } from './run-events.js';
import { HeldRows } from './held-rows.js';

/** The key of a step's tool_outputs (not on the wire) naming the reasoning item of the turn the step began. */
const REASONING_KEY = ':reasoning';

/** The key of a message_creation step's tool_outputs holding its message's token logprobs (JSON), when asked for. */
const LOGPROBS_KEY = ':logprobs';

/** The token logprobs of the step's message, if the run asked for them. */
export function stepLogprobs(step: Pick<RunStepRow, 'tool_outputs'>): TokenLogprob[] | undefined {
  const json = fromJson<Record<string, string>>(step.tool_outputs, {})[LOGPROBS_KEY];
  return json === undefined ? undefined : fromJson<TokenLogprob[]>(json, []);
}

/** The reasoning item the model wrote before this step's message or calls, if any. */
export function stepReasoningId(step: Pick<RunStepRow, 'tool_outputs'>): string | undefined {
  return fromJson<Record<string, string>>(step.tool_outputs, {})[REASONING_KEY];
}

/**
 * A turn's (or, summed, a run's) tokens as stored on the step and the run: OpenAI's Run.Usage, plus the details
 * the upstream reported (cached prompt tokens, reasoning tokens) that the Responses API shows. The Assistants
 * API shows only the three counts (store/serialize-runs.ts).
 */
export interface StepUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

/** A message being written (RunWriter.startMessage): its rows, and whether they are still to be inserted. */
export interface OpenMessage {
  step: RunStepRow;
  message: MessageRow;
  unwritten?: boolean;
}

/** How a message ends (RunWriter.finishMessage, endMessage). */
export interface MessageEnd extends OpenMessage {
  text: string;
  usage: StepUsage | null;
  incomplete?: string;
  stepStatus?: RunStepStatus;
  annotations?: Annotation[];
  /** image_file parts before the text. */
  images?: string[];
  /** The text's token logprobs, when the run asked for them: kept on the step. */
  logprobs?: TokenLogprob[];
}

/** Writes for a transaction the caller commits, and what to announce once it has. */
export interface PendingWrite {
  write(trx: Db): Promise<void>;
  /** Instead of `write`: the rows are deleted in the transaction (an unkept run's end), announced as written. */
  skip(): void;
  announce(): void;
}

/**
 * Writes a run's steps and messages, then announces each change as an engine event: nothing is
 * published before it is committed. Order follows OpenAI's: step started, message started, its
 * text…, message done, step done. What a turn writes while the run goes on is committed relaxed
 * (store/relaxed-commit.ts: a resumed run deletes the steps it left unfinished); the run's end, which
 * the client is told of, waits for the disk and so flushes them all. A run held in memory (hold) writes nothing: its
 * rows are kept here, for what the engine reads back while it runs.
 */
export class RunWriter {
  readonly #db: Store['db'];
  readonly #events: RunEventBus;
  readonly #ids: IdGenerator;
  readonly #now: () => number;
  readonly #relaxed: RelaxedWrite;
  readonly #unkept: (runId: string) => boolean;
  readonly #forgetsOnCancel: (runId: string) => boolean;
  /** The runs whose rows are held here, never written (hold). */
  readonly #held = new Map<string, HeldRows>();

  /**
   * `unkept`: whether the run's rows are kept once it ends (EngineDeps.unkept): none of an unkept run's commits waits
   * for the disk. `forgetsOnCancel`: whether they go when it is cancelled (an unkept run that is not polled).
   */
  constructor(opts: {
    db: Store['db'];
    relaxed: RelaxedWrite;
    events: RunEventBus;
    ids: IdGenerator;
    now: () => number;
    unkept?: (runId: string) => boolean;
    forgetsOnCancel?: (runId: string) => boolean;
  }) {
    this.#db = opts.db;
    this.#relaxed = opts.relaxed;
    this.#events = opts.events;
    this.#ids = opts.ids;
    this.#now = opts.now;
    this.#unkept = opts.unkept ?? (() => false);
    this.#forgetsOnCancel = opts.forgetsOnCancel ?? this.#unkept;
  }

  /** Whether nothing of the run is kept once it is cancelled (EngineDeps.unkept, not polled). */
  forgetsOnCancel(runId: string): boolean {
    return this.#forgetsOnCancel(runId);
  }

  /**
   * From now until `release`, the run's rows are held in memory and none is written: a run nothing of is kept, whose
   * run row was never written either (RunReservation.start's `unwritten`), from its thread's `history` on. Its steps
   * and history are read back from here (steps, history).
   */
  hold(runId: string, history?: ThreadHistory): void {
    this.#held.set(runId, new HeldRows(history));
  }

  release(runId: string): void {
    this.#held.delete(runId);
  }

  /** Whether the run's rows are held in memory (hold), not written. */
  holds(runId: string): boolean {
    return this.#held.has(runId);
  }

  /** The thread's history for a run held in memory (its first turn's, and what the run added); undefined for others. */
  history(runId: string): ThreadHistory | undefined {
    return this.#held.get(runId)?.history();
  }

  /** The run's steps, oldest first: as held for a run held in memory, else as committed. */
  async steps(runId: string): Promise<RunStepRow[]> {
    return this.#held.get(runId)?.steps() ?? listAllRunSteps(this.#db, runId);
  }

  /** A write the client may be told of: committed with the wait for the disk, unless nothing of the run is kept. */
  #durable<T>(runId: string, fn: (trx: Db) => Promise<T>): Promise<T> {
    return this.#unkept(runId) ? this.#relaxed(fn) : this.#db.transaction().execute(fn);
  }

  /** A write of the run's rows: `held` for a run held in memory (nothing written), else `write` in a relaxed commit. */
  async #write<T>(runId: string, opts: { write: (trx: Db) => Promise<T>; held: (rows: HeldRows) => T }): Promise<T> {
    const held = this.#held.get(runId);
    return held ? opts.held(held) : this.#relaxed(opts.write);
  }

  #nowS(): number {
    return Math.floor(this.#now() / 1000);
  }

  /** Announces what needs no write first (text and tool-call deltas, tool output already saved, usage). */
  announce(run: RunRow, event: EngineEvent): void {
    this.#events.publish(run.id, event);
  }

  #stepRow(run: RunRow, type: RunStepRow['type'], details: unknown, reasoningId?: string): RunStepRow {
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
      tool_outputs: reasoningId ? toJson({ [REASONING_KEY]: reasoningId }) : null,
      last_error: null,
      usage: null,
      metadata: null,
      expired_at: null,
      cancelled_at: null,
      failed_at: null,
      completed_at: null,
    };
  }

  /** The turn's reasoning, recorded as the thread's reasoning item `id` (named when it began), then announced done. */
  async finishReasoning(run: RunRow, opts: { id: string; text: string; status: 'completed' | 'incomplete' }): Promise<void> {
    const item = { ...opts, seq: nextSeq(this.#now()), createdAt: this.#nowS(), tenantId: run.tenant_id, threadId: run.thread_id };
    await this.#write(run.id, {
      write: async (trx) => void (await insertReasoningItem(trx, item)),
      held: (rows) => rows.addItem(reasoningItemRow(item)),
    });
    this.announce(run, { type: 'reasoning.done', reasoningId: opts.id, status: opts.status });
  }

  /**
   * An assistant message being written, and its message_creation step (naming the reasoning before it), in one
   * transaction. `unwritten`: nobody reads them before the run ends (deps.writesAtEnd) — they are written when the
   * message ends, not now, and a run resumed after a crash runs the turn again as it would after losing them. A run
   * held in memory (hold) writes them at no time: its step is held.
   */
  async startMessage(run: RunRow, reasoningId?: string, opts: { unwritten?: boolean } = {}): Promise<OpenMessage> {
    const messageId = this.#ids('msg');
    const stepRow = this.#stepRow(run, 'message_creation', { type: 'message_creation', message_creation: { message_id: messageId } }, reasoningId);
    const messageRow: MessageRow = {
      id: messageId,
      tenant_id: run.tenant_id,
      thread_id: run.thread_id,
      seq: nextSeq(this.#now()),
      created_at: this.#nowS(),
      role: 'assistant',
      content: '[]',
      item_content: null,
      attachments: '[]',
      metadata: '{}',
      assistant_id: run.assistant_id,
      run_id: run.id,
      status: 'in_progress',
      incomplete_details: null,
      completed_at: null,
      incomplete_at: null,
    };
    const held = this.#held.get(run.id);
    held?.put(stepRow);
    const open: OpenMessage = opts.unwritten || held
      ? { step: stepRow, message: messageRow, unwritten: true }
      : await this.#relaxed(async (trx) => ({ step: await insertRunStep(trx, stepRow), message: await insertRunMessage(trx, messageRow) }));
    this.announce(run, { type: 'step.started', step: open.step });
    this.announce(run, { type: 'message.started', message: open.message });
    return open;
  }

  /**
   * A piece of the message's text, with the annotations it completes; `part` is the text's place
   * in the content (after any images).
   */
  messageDelta(
    run: RunRow,
    messageId: string,
    text: string,
    opts: { part?: number; annotations?: TextAnnotation[]; logprobs?: TokenLogprob[] } = {},
  ): void {
    const logprobs = opts.logprobs?.length ? { logprobs: opts.logprobs } : {};
    this.announce(run, { type: 'message.text', messageId, part: opts.part ?? 0, text, annotations: opts.annotations ?? [], ...logprobs });
  }

  /** Images that open the message (figures the run's tools made). */
  messageImages(run: RunRow, messageId: string, fileIds: string[]): void {
    this.announce(run, { type: 'message.images', messageId, fileIds });
  }

  /** Ends the message (completed, or incomplete with a reason) and its step, in a relaxed commit of their own. */
  async finishMessage(run: RunRow, opts: MessageEnd): Promise<void> {
    await this.commitEnd(run, this.endMessage(run, opts));
  }

  /** Commits a message's end on its own (relaxed; held, for a run held in memory), then announces it. */
  async commitEnd(run: RunRow, end: PendingWrite): Promise<void> {
    if (this.#held.has(run.id)) end.skip();
    else await this.#relaxed(end.write);
    end.announce();
  }

  /**
   * The message's end (completed, or incomplete with a reason) and its step's, as a write for the caller's transaction
   * — the turn's last write, committed with the run's end in one commit that waits for the disk — and the events it
   * announces once committed.
   */
  endMessage(run: RunRow, opts: MessageEnd): PendingWrite {
    const nowS = this.#nowS();
    const content: MessageContent[] = [
      ...(opts.images ?? []).map((file_id): MessageContent => ({ type: 'image_file', image_file: { file_id } })),
      { type: 'text', text: { value: opts.text, annotations: opts.annotations ?? [] } },
    ];
    const stepStatus = opts.stepStatus ?? 'completed';
    const outputs = opts.logprobs ? { ...fromJson<Record<string, string>>(opts.step.tool_outputs, {}), [LOGPROBS_KEY]: toJson(opts.logprobs) } : undefined;
    const messageEnd = {
      content: toJson(content),
      status: opts.incomplete ? ('incomplete' as const) : ('completed' as const),
      completed_at: opts.incomplete ? null : nowS,
      incomplete_at: opts.incomplete ? nowS : null,
      incomplete_details: opts.incomplete ? toJson({ reason: opts.incomplete }) : null,
    };
    const stepPatch = stepEnd(stepStatus, nowS, { usage: opts.usage, outputs });
    let written: { message?: MessageRow; step?: RunStepRow } = {};
    return {
      write: async (trx) => {
        written = opts.unwritten
          ? {
              message: await insertRunMessage(trx, { ...opts.message, ...messageEnd }),
              step: await insertRunStep(trx, { ...opts.step, ...stepPatch }),
            }
          : {
              message: await updateRunMessage(trx, opts.message.id, messageEnd),
              step: await updateRunStep(trx, opts.step.id, stepPatch),
            };
      },
      skip: () => {
        written = { message: { ...opts.message, ...messageEnd }, step: { ...opts.step, ...stepPatch } as RunStepRow };
        const held = this.#held.get(run.id);
        held?.put(written.step!);
        held?.addMessage(written.message!);
      },
      announce: () => {
        if (written.message) this.announce(run, { type: 'message.done', message: written.message });
        if (written.step && stepStatus !== 'in_progress') this.announce(run, { type: 'step.done', step: written.step });
      },
    };
  }

  /** A tool_calls step (naming the reasoning before it); its details grow as the model streams the calls. */
  async startToolCalls(run: RunRow, reasoningId?: string): Promise<RunStepRow> {
    const row = this.#stepRow(run, 'tool_calls', { type: 'tool_calls', tool_calls: [] }, reasoningId);
    const step = await this.#write(run.id, { write: (trx) => insertRunStep(trx, row), held: (rows) => rows.put(row) });
    this.announce(run, { type: 'step.started', step });
    return step;
  }

  /** Records the calls (and, for server tools, their outputs) on the run's step. */
  async saveToolCalls(run: RunRow, stepId: string, calls: ToolCall[], outputs: Record<string, string>): Promise<RunStepRow | undefined> {
    const patch = { step_details: toJson({ type: 'tool_calls', tool_calls: calls }), tool_outputs: toJson(outputs) };
    return this.#write(run.id, { write: (trx) => updateRunStep(trx, stepId, patch), held: (rows) => rows.update(stepId, patch) });
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
    const patch: RunStepUpdate = {
      step_details: toJson({ type: 'tool_calls', tool_calls: step.calls }),
      tool_outputs: toJson(outputs),
      status: 'completed',
      completed_at: nowS,
      usage: step.usage ? toJson(step.usage) : null,
    };
    // A run held in memory ends here: no later turn reads its function_call items (they are in the step's calls).
    const held = this.#held.get(run.id);
    const done = held ? held.update(step.id, patch) : await this.#durable(run.id, async (trx) => {
      const updated = await updateRunStep(trx, step.id, patch);
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
  async closeOpenSteps(run: RunRow, status: 'cancelled' | 'expired' | 'failed'): Promise<void> {
    for (const step of await this.steps(run.id))
      if (step.status === 'in_progress') await this.finishStep(run, step, { status });
  }

  async finishStep(
    run: RunRow,
    step: RunStepRow,
    opts: { status: RunStepStatus; usage?: StepUsage | null; lastError?: { code: string; message: string }; outputs?: Record<string, string> },
  ): Promise<void> {
    const patch = stepEnd(opts.status, this.#nowS(), opts);
    const held = this.#held.get(run.id);
    const updated = held
      ? held.update(step.id, patch)
      : await (this.#unkept(run.id) ? this.#relaxed((trx) => updateRunStep(trx, step.id, patch)) : updateRunStep(this.#db, step.id, patch));
    if (updated && opts.status !== 'in_progress') this.announce(run, { type: 'step.done', step: updated });
  }
}

/** The columns that end a step with `status` (its time column, and usage and error when given). */
function stepEnd(
  status: RunStepStatus,
  nowS: number,
  opts: { usage?: StepUsage | null; lastError?: { code: string; message: string }; outputs?: Record<string, string> },
): RunStepUpdate {
  const column = { completed: 'completed_at', failed: 'failed_at', cancelled: 'cancelled_at', expired: 'expired_at', in_progress: null }[status];
  return {
    status,
    ...(column ? { [column]: nowS } : {}),
    ...(opts.usage !== undefined ? { usage: opts.usage ? toJson(opts.usage) : null } : {}),
    ...(opts.lastError ? { last_error: toJson(opts.lastError) } : {}),
    ...(opts.outputs ? { tool_outputs: toJson(opts.outputs) } : {}),
  };
}
