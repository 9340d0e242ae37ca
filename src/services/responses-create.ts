import type { Caller, Deps, RunReservation } from '../deps.js';
import { invalidRequest } from '../errors.js';
import type { Db } from '../store/database.js';
import { toJson } from '../store/json.js';
import { findNextResponseOnThread, findResponse, findResponseThread, insertHiddenThread, insertResponse } from '../store/repos/responses.repo.js';
import { findActiveRun, insertRun } from '../store/repos/runs.repo.js';
import { relaxedCommits } from '../store/relaxed-commit.js';
import { nextSeq } from '../store/seq.js';
import type { AssistantRow } from '../store/tables/assistants.table.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { ThreadRow } from '../store/tables/threads.table.js';
import { toInputItems } from '../streaming/response-input-items.js';
import { appendItems, resolveItemReferences, type StoredItem } from './conversation-items-append.js';
import type { ThreadHistory } from '../store/repos/run-messages.repo.js';
import { itemFileIds, type ConversationItemParams } from './conversation-items-input.js';
import { getConversation } from './conversations.service.js';
import { checkReferencedIds } from './referenced-ids.js';
import { copyChainItems } from './responses-branch.js';
import { rememberResponse } from './responses-by-run.js';
import { toolIds, toRunOptions, type CreateResponseRequest } from './responses-convert.js';
import { announce, checkModel, runRow, type StartOptions } from './runs.service.js';

/**
 * POST /v1/responses, the write: in one transaction the thread (the conversation's, the previous response's, or a
 * hidden one of its own), the input items appended to it, the run that does the work and the response row; then
 * the run is announced and handed to the engine as every run is. `unwritten` (returned): none of it was written, since
 * nothing of it is kept or read back (heldInMemory): the engine runs it in memory.
 */
export async function startResponse(
  deps: Deps,
  caller: Caller,
  request: CreateResponseRequest,
  opts: Pick<StartOptions, 'subscribe'> & { forgetAtEnd?: boolean } = {},
): Promise<{ response: ResponseRow; run: RunRow; unwritten: boolean }> {
  const nowMs = deps.clock.now();
  const { params, toolResources, columns } = toRunOptions(request, deps.log);
  // A response answered when it ends starts in its create, in this worker: no claim, no commit of its own for that.
  const reservation = request.background === true ? undefined : deps.engine.reserve?.(nowMs);
  const unwritten = reservation !== undefined && opts.forgetAtEnd === true && heldInMemory(deps, request);
  const result = await createWrite(deps, request, unwritten)(async (trx) => {
    // Before its items: every item of the response comes after its row's seq (a branch copies what came before).
    const seq = nextSeq(nowMs);
    await checkReferencedIds(trx, caller.tenantId, toolIds(request.tools));
    const thread = await responseThread({ deps, trx, caller, nowMs, unwritten }, request);
    // A thread made in this transaction has no run yet: one query fewer for most responses.
    const active = madeHere.has(thread) ? undefined : await findActiveRun(trx, caller.tenantId, thread.id);
    if (active) throw invalidRequest(`Another response is in progress on this conversation (run ${active.id}); try again when it ends.`);
    const responseId = deps.ids('resp');
    const input = await appendInput(deps, trx, { tenantId: caller.tenantId, threadId: thread.id, nowMs, request, responseId, unwritten });
    const inputItemIds = input.map((s) => s.id);
    const row = runRow({ deps, caller, thread, assistant: responseAssistant(caller, request.model), params, toolResources });
    checkModel(deps, row.model);
    // The client's function calls end a response (completed, with function_call items), as OpenAI's do.
    const newRun = { ...row, ...columns, client_calls: 'end' as const, ...(reservation && started(reservation, row.created_at)) };
    const run: RunRow = unwritten ? newRun : await insertRun(trx, newRun);
    const { input: _input, stream: _stream, ...echo } = request;
    const newResponse: ResponseRow = {
      id: responseId,
      tenant_id: caller.tenantId,
      api_key_id: caller.apiKeyId,
      run_id: run.id,
      thread_id: thread.id,
      previous_response_id: request.previous_response_id ?? null,
      conversation_id: conversationId(request),
      request: toJson(echo),
      input_item_ids: toJson(inputItemIds),
      store: request.store === false ? 0 : 1,
      background: request.background === true ? 1 : 0,
      created_at: Math.floor(nowMs / 1000),
      seq,
    };
    const response = unwritten ? newResponse : await insertResponse(trx, newResponse);
    // A thread made here holds the input and nothing else: the run's first turn need not read it back.
    return { response, run, history: madeHere.has(thread) && !copied.has(thread) ? historyOf(input) : undefined };
  }).catch((err: unknown) => {
    reservation?.release();
    throw err;
  });
  rememberResponse(deps.store.db, result.response, { forgetAtEnd: opts.forgetAtEnd });
  if (!reservation) announce(deps, result.run, opts);
  else {
    // Announced as every run is — created (queued), then started by its worker — and executed here. One held in
    // memory is followed only here: no other instance can read it.
    if (unwritten) deps.events.keepLocal?.(result.run.id);
    opts.subscribe?.(result.run.id);
    deps.events.publish(result.run.id, { type: 'run.created', run: asQueued(result.run) });
    reservation.start(result.run, { history: result.history, unwritten });
  }
  return { response: result.response, run: result.run, unwritten };
}

/**
 * A `store: false` stream on a thread of its own (no conversation, no previous response) keeps nothing, and nobody
 * reads any of it back (a store:false response is never shown: responses-read.ts getResponseRow): nothing of it is
 * written — not its thread, input, run, steps, messages or response row. Its run is held in memory by the engine, which
 * executes it here from the history given it (engine/run-driver.ts DriveStart `unwritten`) — unless it offers a tool
 * that needs the thread stored (Tool.needsStoredThread).
 */
function heldInMemory(deps: Deps, request: CreateResponseRequest): boolean {
  if (request.store !== false || request.background === true || request.conversation != null || request.previous_response_id != null) return false;
  return (request.tools ?? []).every((t) => deps.tools.get(t.type)?.needsStoredThread !== true);
}

/** The thread's history as the engine reads it (store/repos/run-messages.repo.ts): messages, other items, in seq order. */
function historyOf(stored: StoredItem[]): ThreadHistory {
  const history: ThreadHistory = { messages: [], items: [] };
  for (const s of stored) {
    if (s.kind === 'message') history.messages.push(s.row);
    else history.items.push(s.row);
  }
  return history;
}

/** The columns of a run inserted started (run-state.ts's move from queued to in_progress, and the worker's claim). */
const started = (reservation: RunReservation, createdAt: number) => ({ ...reservation.lease, status: 'in_progress' as const, started_at: createdAt });

/** A run inserted started, as it stood created: what `run.created` shows of every run. */
const asQueued = (run: RunRow): RunRow => ({ ...run, status: 'queued', started_at: null, lease_owner: null, lease_expires_at: null });

/**
 * How the create commits. A background response is answered as soon as it is created: its create waits for the disk
 * (a 2xx means the write is durable). Any other response is answered, or its stream ends, only after its run's final
 * state is committed with the wait, which flushes this commit too (store/relaxed-commit.ts); a crash before that —
 * even kill -9 — keeps it (the OS has the bytes), and a restart resumes the run as it resumes every run.
 */
function createWrite(deps: Deps, request: CreateResponseRequest, unwritten: boolean) {
  // Nothing is written: what the create reads (the files and items the request names) is read outside a transaction.
  if (unwritten) return <T>(fn: (trx: Db) => Promise<T>) => fn(deps.store.db);
  if (request.background === true) return <T>(fn: (trx: Db) => Promise<T>) => deps.store.db.transaction().execute(fn);
  return relaxedCommits(deps.store.db, deps.store.dialect);
}

const conversationId = (request: CreateResponseRequest): string | null =>
  request.conversation == null ? null : typeof request.conversation === 'string' ? request.conversation : request.conversation.id;

/** A response has no assistant: the run takes its model and nothing else from this stand-in (assistant_id ''). */
export const responseAssistant = (caller: Caller, model: string): AssistantRow => ({
  id: '',
  tenant_id: caller.tenantId,
  seq: 0,
  created_at: 0,
  name: null,
  description: null,
  model,
  instructions: null,
  tools: '[]',
  tool_resources: null,
  metadata: '{}',
  temperature: null,
  top_p: null,
  response_format: null,
  reasoning_effort: null,
});

/**
 * Where the response runs: the conversation's thread; the previous response's thread when that response is the
 * latest on it (a linear chain); else (a branch: another response already continued it) a new hidden thread with a
 * copy of the chain's items up to it; without either, a new hidden thread.
 */
export async function responseThread(ctx: TxContext, request: CreateResponseRequest): Promise<ThreadRow> {
  const { deps, trx, caller } = ctx;
  const conversation = conversationId(request);
  if (conversation) return getConversation(trx, caller.tenantId, conversation);
  const previousId = request.previous_response_id;
  if (previousId != null) {
    const previous = await findResponse(trx, caller.tenantId, previousId);
    if (!previous || previous.store === 0)
      throw invalidRequest(`Previous response with id '${previousId}' not found.`, 'previous_response_id', 'previous_response_not_found');
    const next = await findNextResponseOnThread(trx, previous);
    if (!next) return findResponseThread(trx, previous);
    const thread = await newHiddenThread(ctx);
    await copyChainItems(deps, trx, { previous, next, toThreadId: thread.id });
    copied.add(thread);
    return thread;
  }
  return newHiddenThread(ctx);
}

/** What the steps of the create transaction share. `unwritten`: its rows are made, not inserted (heldInMemory). */
export interface TxContext {
  deps: Deps;
  trx: Db;
  caller: Caller;
  nowMs: number;
  unwritten?: boolean;
}

/** The threads newHiddenThread made (so none of their runs can be active). */
const madeHere = new WeakSet<ThreadRow>();
/** Those of them that got a copy of a chain's items (a branch). */
const copied = new WeakSet<ThreadRow>();

async function newHiddenThread({ deps, trx, caller, nowMs, unwritten }: TxContext): Promise<ThreadRow> {
  const row = {
    id: deps.ids('thread'),
    tenant_id: caller.tenantId,
    seq: nextSeq(nowMs),
    created_at: Math.floor(nowMs / 1000),
    metadata: '{}',
    tool_resources: null,
  };
  const thread = unwritten ? { ...row, hidden: 1 } : await insertHiddenThread(trx, row);
  madeHere.add(thread);
  return thread;
}

/** The request's input as thread items (references resolved, files checked), in order. */
export async function appendInput(
  deps: Deps,
  trx: Db,
  opts: { tenantId: string; threadId: string; nowMs: number; request: CreateResponseRequest; responseId: string; unwritten?: boolean },
): Promise<StoredItem[]> {
  const items = toInputItems(opts.request.input, (prefix) => deps.ids(prefix)) as ConversationItemParams[];
  await checkReferencedIds(trx, opts.tenantId, itemFileIds(items, 'input'));
  const resolved = await resolveItemReferences(trx, opts.tenantId, items, 'input');
  const { tenantId, threadId, nowMs, responseId, unwritten } = opts;
  return appendItems(trx, { tenantId, threadId, nowMs, ids: deps.ids, items: resolved, responseId, unwritten });
}
