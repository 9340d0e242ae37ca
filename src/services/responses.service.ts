import type { Caller, Deps } from '../deps.js';
import type { AbortEmitter } from '../providers/openai-compatible/client.js';
import { contextLengthExceeded, invalidRequest, notFound } from '../errors.js';
import { isTerminal } from '../engine/run-state.js';
import { RunEventQueue } from '../engine/run-event-queue.js';
import { fromJson } from '../store/json.js';
import { paginate, type ListQuery, type SeqWindow } from '../store/pagination.js';
import { deleteConversationItemRow, findTenantItem } from '../store/repos/conversation-items.repo.js';
import { deleteResponseEvents } from '../store/repos/response-events.repo.js';
import { deleteResponseRow } from '../store/repos/responses.repo.js';
import { findRunById } from '../store/repos/runs.repo.js';
import type { ListedItem } from '../store/serialize-items.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import type { ResponseObject } from '../streaming/response-object.js';
import { storedItem, storedMessage, type StoredItem } from './conversation-items-append.js';
import { toConversationItems, type Include } from './conversation-items.service.js';
import type { CreateResponseRequest } from './responses-convert.js';
import { startResponse } from './responses-create.js';
import { streamResponse } from './responses-stream.js';
import { forgetResponseRows } from './responses-unkept.js';
import { relaxedCommits } from '../store/relaxed-commit.js';
import { buildResponseObject, getResponseRow } from './responses-read.js';
import { cancelRun } from './runs.service.js';
export { replayResponse } from './responses-replay.js';

/**
 * The Responses API: a response is a run (executed by the run engine like any run) and a row that keeps its
 * request, input items and place in a chain. Non-stream create waits for the run's end on its events;
 * `background` answers at once; `store: false` keeps nothing once answered.
 */
export type CreateResponseResult = { type: 'json'; body: ResponseObject } | { type: 'stream'; frames: AsyncGenerator<string> };

/** `gone`: fires when a stream's client leaves (api/client-signal.ts ClientGone); the stream then ends at once. */
export async function createResponse(
  deps: Deps,
  caller: Caller,
  request: CreateResponseRequest,
  opts: { gone?: AbortEmitter } = {},
): Promise<CreateResponseResult> {
  if (request.stream === true)
    return { type: 'stream', frames: await streamResponse(deps, caller, request, { forget: (row) => forget(deps, row), gone: opts.gone }) };
  return { type: 'json', body: await answerResponse(deps, caller, request) };
}

async function answerResponse(deps: Deps, caller: Caller, request: CreateResponseRequest): Promise<ResponseObject> {
  const queue = new RunEventQueue(deps.events);
  const { response } = await startResponse(deps, caller, request, { subscribe: queue.subscribe });
  if (response.background === 1) {
    queue.close();
    return buildResponseObject(deps.store.db, response, outputOptions(deps, response));
  }
  try {
    for await (const _event of queue);
    const body = await buildResponseObject(deps.store.db, response, outputOptions(deps, response));
    if (!tooLong(body)) return body;
    await unmake(deps, response);
    throw contextLengthExceeded('input');
  } finally {
    queue.close();
    if (response.store === 0) await forget(deps, response);
  }
}

/** What the response's request asked to include. */
const requestInclude = (row: ResponseRow): Include => fromJson<{ include?: Include | null }>(row.request, {}).include ?? [];

/** Tool calls show as the stream shows them, with what the response's request asked to include. */
const outputOptions = (deps: Deps, row: ResponseRow) => ({ tools: deps.tools, include: requestInclude(row) });

/** A response whose input did not fit the model's context (truncation `disabled`): OpenAI answers a create with a 400. */
function tooLong(body: ResponseObject): boolean {
  const code: string | undefined = body.error?.code;
  return body.status === 'failed' && code === 'context_length_exceeded';
}

/** Undoes a create answered with an error: the input items it added to the conversation (or chain), then the response. */
async function unmake(deps: Deps, response: ResponseRow): Promise<void> {
  const ref = { tenantId: response.tenant_id, threadId: response.thread_id };
  for (const id of fromJson<string[]>(response.input_item_ids, [])) await deleteConversationItemRow(deps.store.db, ref, id);
  await forget(deps, response);
}

/** Deletes what a `store: false` response left: its row, its run and its hidden thread. */
async function forget(deps: Deps, response: ResponseRow): Promise<void> {
  // A stream the client left: the run may still go on; it is cancelled first, as the one-call chat's is.
  await cancelRun(deps, { tenantId: response.tenant_id, threadId: response.thread_id, runId: response.run_id }).catch(() => undefined);
  try {
    await deleteResponseRows(deps, response);
  } catch (err) {
    deps.log.warn({ err, responseId: response.id }, 'could not delete a store:false response');
  }
}

/** The stored response; `include` (GET's query) adds to what the request asked to include. */
export async function retrieveResponse(deps: Deps, ref: { tenantId: string; id: string; include?: Include }): Promise<ResponseObject> {
  const row = await getResponseRow(deps.store.db, ref.tenantId, ref.id);
  const opts = outputOptions(deps, row);
  return buildResponseObject(deps.store.db, row, { ...opts, include: [...new Set([...opts.include, ...(ref.include ?? [])])] });
}

/** Deletes the response (a background one still going is cancelled first), its run and its hidden thread. */
export async function deleteResponse(deps: Deps, tenantId: string, id: string): Promise<void> {
  const row = await getResponseRow(deps.store.db, tenantId, id);
  await cancelRun(deps, { tenantId, threadId: row.thread_id, runId: row.run_id }).catch(() => undefined);
  await deleteResponseRows(deps, row);
}

/**
 * The response's row, run, hidden thread and events, in one commit (one wait for the disk, not one per table; none for
 * a `store: false` response, which was never kept: a power loss that undid the delete leaves rows nobody can see, and
 * a restart forgets its run, engine/run-driver.ts).
 */
function deleteResponseRows(deps: Deps, row: ResponseRow): Promise<void> {
  if (row.store === 0) return relaxedCommits(deps.store.db, deps.store.dialect)((trx) => forgetResponseRows(trx, row));
  return deps.store.db.transaction().execute(async (trx) => {
    await deleteResponseRow(trx, row);
    await deleteResponseEvents(trx, row.id);
  });
}

/** Cancels a background response's run (from any instance, as runs are cancelled); a finished one is answered as it is. */
export async function cancelResponse(deps: Deps, tenantId: string, id: string): Promise<ResponseObject> {
  const db = deps.store.db;
  const row = await getResponseRow(db, tenantId, id);
  if (row.background !== 1) throw invalidRequest('Cannot cancel a synchronous response.');
  const run = await findRunById(db, row.run_id);
  if (run && !isTerminal(run.status) && run.status !== 'cancelling')
    await cancelRun(deps, { tenantId, threadId: row.thread_id, runId: row.run_id });
  return buildResponseObject(db, row, outputOptions(deps, row));
}

/**
 * A page of the response's input items (newest first by default), as the Conversations API shows items, with what the
 * query's `include` and the create's asked for (`message.input_image.image_url`).
 */
export async function listInputItems(
  deps: Deps,
  tenantId: string,
  id: string,
  query: ListQuery & { include: Include },
): Promise<{ data: ListedItem[]; hasMore: boolean }> {
  const db = deps.store.db;
  const row = await getResponseRow(db, tenantId, id);
  // Nothing of a `store: false` response is listed, not even of a background one kept for polling.
  if (row.store === 0) throw notFound('response', id);
  const all = await inputItems(deps, row);
  const { rows, hasMore } = await paginate({
    query,
    fetch: async (window) => windowOf(all, window),
    seqOf: async (itemId) => all.find((s) => s.id === itemId)?.seq,
  });
  const include = [...new Set([...requestInclude(row), ...query.include])];
  return { data: await toConversationItems(db, tenantId, rows, include), hasMore };
}

/** The stored input items still there (an item deleted from a conversation is gone from here too), oldest first. */
async function inputItems(deps: Deps, row: ResponseRow): Promise<StoredItem[]> {
  const out: StoredItem[] = [];
  for (const itemId of fromJson<string[]>(row.input_item_ids, [])) {
    const found = await findTenantItem(deps.store.db, row.tenant_id, itemId);
    if (found) out.push('message' in found ? storedMessage(found.message) : storedItem(found.item));
  }
  return out;
}

function windowOf(all: readonly StoredItem[], window: SeqWindow): StoredItem[] {
  const sign = window.direction === 'asc' ? 1 : -1;
  const past = (s: StoredItem) => window.bound === undefined || sign * (s.seq - window.bound) > 0;
  return all
    .filter(past)
    .sort((a, b) => sign * (a.seq - b.seq))
    .slice(0, window.limit);
}
