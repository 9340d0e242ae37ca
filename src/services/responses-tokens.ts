import type { AssistantTool } from 'openai/resources/beta/assistants';
import type { Caller, Deps } from '../deps.js';
import { buildPrompt, imageFileIds } from '../engine/build-prompt.js';
import { messageTokens } from '../engine/fit-prompt.js';
import { offeredTools } from '../engine/turn-tools.js';
import { loadCounter } from '../metering/count-tokens.js';
import type { ModelMessage, ModelTool } from '../providers/chat-model.js';
import { fromJson } from '../store/json.js';
import { threadHistoryRows } from '../store/repos/run-messages.repo.js';
import type { ConversationItemRow } from '../store/tables/conversation-items.table.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import { imageDataUrls } from './files.service.js';
import { checkReferencedIds } from './referenced-ids.js';
import { toolIds, toRunOptions, type CreateResponseRequest } from './responses-convert.js';
import { appendInput, responseAssistant, responseThread } from './responses-create.js';
import { checkModel, runRow } from './runs.service.js';

/** The prompt a would-be response would send: its messages, the tools offered, the thread's messages it came from. */
export interface StagedPrompt {
  run: RunRow;
  messages: ModelMessage[];
  tools: ModelTool[];
  threadMessages: MessageRow[];
}

/** Thrown to roll the staging transaction back once the thread's rows have been read. */
class Staged {
  constructor(readonly rows: StagedRows) {}
}
interface StagedRows {
  run: RunRow;
  messages: MessageRow[];
  items: ConversationItemRow[];
}

/**
 * What POST /v1/responses would send the model for this request, without keeping anything: the create's own
 * writes (the thread it would run on — the conversation's, the previous response's or a copy of a branch — and
 * its input appended) are made in a transaction that is rolled back once the thread's rows have been read; the
 * prompt is then built from those rows by the engine's buildPrompt, so it is the engine's to the message. Images
 * and tool definitions are read after the rollback (on SQLite, a read outside the open transaction would wait on it).
 */
export async function stagePrompt(deps: Deps, caller: Caller, request: CreateResponseRequest): Promise<StagedPrompt> {
  const nowMs = deps.clock.now();
  const { params, toolResources, columns } = toRunOptions(request, deps.log);
  let rows: StagedRows | undefined;
  try {
    await deps.store.db.transaction().execute(async (trx) => {
      await checkReferencedIds(trx, caller.tenantId, toolIds(request.tools));
      const thread = await responseThread({ deps, trx, caller, nowMs }, request);
      await appendInput(deps, trx, { tenantId: caller.tenantId, threadId: thread.id, nowMs, request, responseId: deps.ids('resp') });
      const run: RunRow = {
        ...runRow({ deps, caller, thread, assistant: responseAssistant(caller, request.model), params, toolResources }),
        ...columns,
        client_calls: 'end',
      };
      throw new Staged({ run, ...(await threadHistoryRows(trx, thread.id)) });
    });
  } catch (err) {
    if (!(err instanceof Staged)) throw err;
    rows = err.rows;
  }
  if (!rows) throw new Error('unreachable: the staging transaction always rolls back');
  return promptOf(deps, rows);
}

async function promptOf(deps: Deps, { run, messages, items }: StagedRows): Promise<StagedPrompt> {
  const imageIds = imageFileIds(messages);
  const images = imageIds.length ? await imageUrls(deps, run.tenant_id, imageIds) : undefined;
  const prompt = buildPrompt({ run, messages, items, steps: [], images, registry: deps.tools });
  const tools = await offeredTools(deps.tools, fromJson<AssistantTool[]>(run.tools, []), deps.log, {
    tenantId: run.tenant_id,
    apiKeyId: run.api_key_id,
    threadId: run.thread_id,
    runId: run.id,
    assistantId: run.assistant_id,
    toolResources: fromJson(run.tool_resources, null),
    abortSignal: new AbortController().signal,
  });
  return { run, messages: prompt, tools: tools.model, threadMessages: messages };
}

async function imageUrls(deps: Deps, tenantId: string, fileIds: string[]): Promise<Map<string, string>> {
  return imageDataUrls({ store: deps.store, storage: deps.storage, log: deps.log }, tenantId, fileIds);
}

/** OpenAI's chat framing: 3 tokens for the reply's priming (fit-prompt.ts counts each message's own 3). */
const PER_REPLY = 3;

/**
 * Tokens of a prompt as the engine's truncation counts them (fit-prompt.ts: each message's framing, role, text,
 * images and tool calls, the reply's priming) plus the offered tools' definitions as the context fitter counts them.
 */
export async function promptTokenCount(prompt: { messages: readonly ModelMessage[]; tools: readonly ModelTool[] }): Promise<number> {
  const count = await loadCounter();
  const messages = prompt.messages.reduce((n, m) => n + messageTokens(m, count), PER_REPLY);
  return messages + (prompt.tools.length ? count(JSON.stringify(prompt.tools)) : 0);
}

/** POST /v1/responses/input_tokens: the input tokens of the prompt the request would send (model optional). */
export async function countResponseInputTokens(
  deps: Deps,
  caller: Caller,
  request: CreateResponseRequest,
  opts: { checkModel: boolean },
): Promise<{ object: 'response.input_tokens'; input_tokens: number }> {
  if (opts.checkModel) checkModel(deps, request.model);
  const input_tokens = await promptTokenCount(await stagePrompt(deps, caller, request));
  return { object: 'response.input_tokens', input_tokens };
}
