import type { ThreadCreateParams } from 'openai/resources/beta/threads/threads';
import type { MessageCreateParams } from 'openai/resources/beta/threads/messages';
import type { Caller, Deps } from '../deps.js';
import { invalidRequest, notFound } from '../errors.js';
import type { RunCreateParamsBase } from 'openai/resources/beta/threads/runs/runs';
import type { ThreadCreateAndRunParams, ThreadCreateAndRunParamsBase } from 'openai/resources/beta/threads/threads';
import type { OrNull } from './request-params.js';
import { CANCELLABLE_RUN_STATUSES, transition } from '../engine/run-state.js';
import { publishRun } from '../engine/run-driver.js';
import type { Db } from '../store/database.js';
import { fromJson, toJson } from '../store/json.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import { findActiveRun, getRun, insertRun, updateRunFields } from '../store/repos/runs.repo.js';
import { assistantRunSeq, listAssistantRuns } from '../store/repos/assistant-runs.repo.js';
import { nextSeq } from '../store/seq.js';
import type { AssistantRow } from '../store/tables/assistants.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { ThreadRow } from '../store/tables/threads.table.js';
import { getAssistant, toolResourcesColumn } from './assistants.service.js';
import { insertUserMessages } from './messages.service.js';
import { checkReferencedIds, messagesIds, toolResourcesIds } from './referenced-ids.js';
import { getThread, insertThreadWithMessages, threadIds } from './threads.service.js';
import { unkeptResponseOf } from './responses-unkept.js';
import { relaxedCommits } from '../store/relaxed-commit.js';

/** POST /threads/{id}/runs (its body: `include` is a query parameter). */
export type CreateRunParams = OrNull<Omit<RunCreateParamsBase, 'include'>>;
/** POST /threads/runs */
export type CreateThreadAndRunParams = OrNull<Omit<ThreadCreateAndRunParamsBase, 'thread'>> & {
  thread?: OrNull<ThreadCreateAndRunParams.Thread> | null;
};

/** A run starts queued and expires if no worker takes it within this long (OpenAI: 10 minutes). */
const QUEUED_TTL_S = 10 * 60;

export interface RunRef {
  tenantId: string;
  threadId: string;
  runId: string;
}

export interface StartOptions {
  /** Called after the commit and before any event is published: a stream subscribes here. */
  subscribe?: (runId: string) => void;
  /** Inside the run's transaction, after its insert: what must exist before the engine sees the run. */
  prelude?: (trx: Db, run: RunRow) => Promise<void>;
}

export type RunOptions = Omit<CreateRunParams, 'additional_instructions' | 'additional_messages'>;

/** The assistant's defaults under the run's overrides, as a new queued run row (the Responses API's too). */
export function runRow(opts: {
  deps: Deps;
  caller: Caller;
  thread: ThreadRow;
  assistant: AssistantRow;
  params: RunOptions;
  additionalInstructions?: string | null;
  toolResources?: string | null;
}) {
  const { deps, caller, thread, assistant, params } = opts;
  const nowMs = deps.clock.now();
  const createdAt = Math.floor(nowMs / 1000);
  const base = params.instructions ?? assistant.instructions ?? '';
  const instructions = opts.additionalInstructions ? `${base}${base ? '\n\n' : ''}${opts.additionalInstructions}` : base;
  const orNull = <T>(v: T | null | undefined, fallback: T | null): T | null => (v === undefined || v === null ? fallback : v);
  return {
    id: deps.ids('run'),
    tenant_id: caller.tenantId,
    api_key_id: caller.apiKeyId,
    thread_id: thread.id,
    assistant_id: assistant.id,
    seq: nextSeq(nowMs),
    created_at: createdAt,
    status: 'queued' as const,
    model: params.model ?? assistant.model,
    instructions,
    tools: params.tools !== undefined ? toJson(params.tools) : assistant.tools,
    tool_resources: opts.toolResources ?? mergeToolResources(assistant.tool_resources, thread.tool_resources),
    metadata: toJson(params.metadata ?? {}),
    temperature: orNull(params.temperature, assistant.temperature),
    top_p: orNull(params.top_p, assistant.top_p),
    max_prompt_tokens: params.max_prompt_tokens ?? null,
    max_completion_tokens: params.max_completion_tokens ?? null,
    truncation_strategy: toJson(params.truncation_strategy ?? { type: 'auto', last_messages: null }),
    response_format: params.response_format ? toJson(params.response_format) : (assistant.response_format ?? toJson('auto')),
    tool_choice: toJson(params.tool_choice ?? 'auto'),
    parallel_tool_calls: params.parallel_tool_calls === false ? 0 : 1,
    reasoning_effort: params.reasoning_effort ?? assistant.reasoning_effort,
    required_action: null,
    last_error: null,
    incomplete_details: null,
    usage: null,
    expires_at: createdAt + QUEUED_TTL_S,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    lease_owner: null,
    lease_expires_at: null,
    attempts: 0,
  };
}

/** The assistant's tool resources with the thread's added (the thread's own vector stores and files). */
function mergeToolResources(assistant: string | null, thread: string | null): string | null {
  const a = fromJson<Record<string, Record<string, string[]>>>(assistant, {});
  const t = fromJson<Record<string, Record<string, string[]>>>(thread, {});
  const merged: Record<string, Record<string, string[]>> = { ...a };
  for (const [tool, res] of Object.entries(t)) {
    merged[tool] ??= {};
    for (const [k, ids] of Object.entries(res)) merged[tool]![k] = [...(merged[tool]![k] ?? []), ...(ids ?? [])];
  }
  return Object.keys(merged).length ? toJson(merged) : null;
}

async function assertThreadFree(db: Db, tenantId: string, threadId: string): Promise<void> {
  const active = await findActiveRun(db, tenantId, threadId);
  if (active) throw invalidRequest(`Thread ${threadId} already has an active run ${active.id}.`);
}

/** After the commit: let a stream subscribe, announce the run, hand it to the engine. */
export function announce(deps: Deps, run: RunRow, opts: StartOptions, thread?: ThreadRow): void {
  opts.subscribe?.(run.id);
  if (thread) deps.events.publish(run.id, { type: 'thread.created', thread });
  deps.events.publish(run.id, { type: 'run.created', run });
  deps.engine.enqueue(run.id);
}

export function checkModel(deps: Deps, model: string): void {
  deps.providers.route(model);
}

export async function createRun(
  deps: Deps,
  caller: Caller,
  threadId: string,
  params: CreateRunParams,
  opts: StartOptions = {},
): Promise<RunRow> {
  const run = await deps.store.db.transaction().execute(async (trx) => {
    let thread = await getThread(trx, caller.tenantId, threadId);
    const assistant = await getAssistant(trx, caller.tenantId, params.assistant_id);
    await assertThreadFree(trx, caller.tenantId, threadId);
    if (params.additional_messages?.length) {
      await checkReferencedIds(trx, caller.tenantId, messagesIds(params.additional_messages, 'additional_messages'));
      await insertUserMessages(trx, {
        tenantId: caller.tenantId,
        threadId,
        nowMs: deps.clock.now(),
        ids: deps.ids,
        messages: params.additional_messages as MessageCreateParams[],
      });
      // Attachments may have given the thread a vector store of its own.
      thread = await getThread(trx, caller.tenantId, threadId);
    }
    const row = runRow({ deps, caller, thread, assistant, params, additionalInstructions: params.additional_instructions });
    checkModel(deps, row.model);
    return insertRun(trx, row);
  });
  announce(deps, run, opts);
  return run;
}

export async function createThreadAndRun(
  deps: Deps,
  caller: Caller,
  params: CreateThreadAndRunParams,
  opts: StartOptions = {},
): Promise<{ run: RunRow; thread: ThreadRow }> {
  const result = await deps.store.db.transaction().execute(async (trx) => {
    const assistant = await getAssistant(trx, caller.tenantId, params.assistant_id);
    const threadParams = (params.thread ?? {}) as ThreadCreateParams;
    await checkReferencedIds(trx, caller.tenantId, ...threadIds(threadParams, 'thread'), toolResourcesIds(params.tool_resources));
    const inserted = await insertThreadWithMessages(trx, {
      tenantId: caller.tenantId,
      nowMs: deps.clock.now(),
      ids: deps.ids,
      params: threadParams,
    });
    // Re-read when message attachments may have given the thread a vector store of its own.
    const attached = threadParams.messages?.some((m) => (m.attachments?.length ?? 0) > 0) ?? false;
    const thread = attached ? await getThread(trx, caller.tenantId, inserted.thread.id) : inserted.thread;
    const toolResources = params.tool_resources ? toolResourcesColumn(params.tool_resources) : undefined;
    const row = runRow({ deps, caller, thread, assistant, params, toolResources });
    checkModel(deps, row.model);
    const run = await insertRun(trx, row);
    await opts.prelude?.(trx, run);
    return { run, thread };
  });
  announce(deps, result.run, opts, result.thread);
  return result;
}

/** Any run of the thread, a response's too (the engine's and the Responses API's view). */
export function retrieveRun(deps: Deps, ref: RunRef): Promise<RunRow> {
  return getRun(deps.store.db, ref.tenantId, ref.threadId, ref.runId);
}

/**
 * A run as the Assistants API sees it: a response added to a conversation runs as a run without an assistant,
 * which is no Assistants run (OpenAI keeps the two apart): 404, as for a run that does not exist.
 */
export async function retrieveAssistantRun(deps: Deps, ref: RunRef): Promise<RunRow> {
  const run = await retrieveRun(deps, ref);
  if (run.assistant_id === '') throw notFound('run', ref.runId);
  return run;
}

/** The thread's Assistants runs (a response's are not among them). */
export async function listThreadRuns(deps: Deps, tenantId: string, threadId: string, query: ListQuery) {
  const db = deps.store.db;
  await getThread(db, tenantId, threadId);
  return paginate({
    query,
    fetch: (window) => listAssistantRuns(db, tenantId, threadId, window),
    seqOf: (id) => assistantRunSeq(db, tenantId, threadId, id),
  });
}

export async function updateRun(deps: Deps, ref: RunRef, metadata: Record<string, unknown> | null | undefined): Promise<RunRow> {
  const run = await retrieveAssistantRun(deps, ref);
  if (metadata === undefined) return run;
  return (await updateRunFields(deps.store.db, run.id, { metadata: toJson(metadata ?? {}) }))!;
}

/** POST /threads/{id}/runs/{id}/cancel: an Assistants run only (a response is cancelled through /responses). */
export async function cancelAssistantRun(deps: Deps, ref: RunRef): Promise<RunRow> {
  await retrieveAssistantRun(deps, ref);
  return cancelRun(deps, ref);
}

/** Moves the run to `cancelling`; the worker that executes it (or picks it up) ends it `cancelled`. */
export async function cancelRun(deps: Deps, ref: RunRef): Promise<RunRow> {
  const run = await retrieveRun(deps, ref);
  if (!CANCELLABLE_RUN_STATUSES.includes(run.status))
    throw invalidRequest(`Cannot cancel run with status '${run.status}'.`);
  const move = (db: Db) => transition(db, run, 'cancelling', { nowMs: deps.clock.now() });
  // Nothing of a store:false response's run is kept (its client went away, most often): no wait for the disk.
  const unkept = await unkeptResponseOf(deps.store.db, run);
  const moved = await (unkept ? relaxedCommits(deps.store.db, deps.store.dialect)(move) : move(deps.store.db));
  if (!moved) return cancelRun(deps, ref);
  publishRun(deps, moved);
  if (run.status === 'in_progress') deps.engine.cancel(run.id);
  else deps.engine.enqueue(run.id);
  return moved;
}
