import type { Deps } from '../deps.js';
import { invalidRequest, notFound } from '../errors.js';
import type { AssistantCreateParams, AssistantUpdateParams } from 'openai/resources/beta/assistants';
import type { Db } from '../store/database.js';
import { toJson } from '../store/json.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import {
  deleteAssistantRow,
  findAssistant,
  findAssistantSeq,
  insertAssistant,
  listAssistantRows,
  updateAssistantRow,
} from '../store/repos/assistants.repo.js';
import { nextSeq } from '../store/seq.js';
import type { AssistantRow, AssistantUpdate } from '../store/tables/assistants.table.js';
import { checkReferencedIds, toolResourcesIds } from './referenced-ids.js';

/** tool_resources as the create/modify calls of assistants and threads take it. */
export interface ToolResourcesParam {
  code_interpreter?: { file_ids?: string[] };
  file_search?: { vector_store_ids?: string[]; vector_stores?: Array<{ file_ids?: string[] }> };
}

export type AssistantsDeps = Pick<Deps, 'store' | 'clock' | 'ids'>;
export interface AssistantRef {
  tenantId: string;
  assistantId: string;
}

/** The tenant's assistant, or 404 "No assistant found with id '…'." */
export async function getAssistant(db: Db, tenantId: string, assistantId: string): Promise<AssistantRow> {
  const row = await findAssistant(db, tenantId, assistantId);
  if (!row) throw notFound('assistant', assistantId);
  return row;
}

/**
 * The stored form of `tool_resources` (assistants and threads): `{}` when absent or null. Creating a vector store
 * inline (`file_search.vector_stores`) needs the vector-store service, which does not exist yet: a 400 until it does.
 */
export function toolResourcesColumn(value: ToolResourcesParam | null | undefined): string {
  const { code_interpreter, file_search } = value ?? {};
  if (file_search?.vector_stores?.length)
    throw invalidRequest(
      "Creating a vector store through 'tool_resources.file_search.vector_stores' is not supported yet: " +
        "create the vector store first and pass its id in 'vector_store_ids'.",
      'tool_resources.file_search.vector_stores',
      'unsupported_parameter',
    );
  const fileSearch = file_search && (file_search.vector_store_ids ? { vector_store_ids: file_search.vector_store_ids } : {});
  return toJson({
    ...(code_interpreter && { code_interpreter }),
    ...(fileSearch && { file_search: fileSearch }),
  });
}

export async function createAssistant(
  deps: AssistantsDeps,
  tenantId: string,
  params: AssistantCreateParams,
): Promise<AssistantRow> {
  await checkReferencedIds(deps.store.db, tenantId, toolResourcesIds(params.tool_resources));
  const nowMs = deps.clock.now();
  return insertAssistant(deps.store.db, {
    id: deps.ids('asst'),
    tenant_id: tenantId,
    seq: nextSeq(nowMs),
    created_at: Math.floor(nowMs / 1000),
    name: params.name ?? null,
    description: params.description ?? null,
    model: params.model,
    instructions: params.instructions ?? null,
    tools: toJson(params.tools ?? []),
    tool_resources: toolResourcesColumn(params.tool_resources),
    metadata: toJson(params.metadata ?? {}),
    // OpenAI reports 1 for both when they are not given.
    temperature: params.temperature === undefined ? 1 : params.temperature,
    top_p: params.top_p === undefined ? 1 : params.top_p,
    response_format: params.response_format == null ? null : toJson(params.response_format),
    reasoning_effort: params.reasoning_effort ?? null,
  });
}

export function retrieveAssistant(deps: AssistantsDeps, ref: AssistantRef): Promise<AssistantRow> {
  return getAssistant(deps.store.db, ref.tenantId, ref.assistantId);
}

/** Changes the given fields only; `null` clears a nullable one (tools, metadata → empty; response_format → auto). */
export async function updateAssistant(
  deps: AssistantsDeps,
  ref: AssistantRef,
  params: AssistantUpdateParams,
): Promise<AssistantRow> {
  const patch: AssistantUpdate = {};
  if (params.model !== undefined) patch.model = params.model;
  if (params.name !== undefined) patch.name = params.name;
  if (params.description !== undefined) patch.description = params.description;
  if (params.instructions !== undefined) patch.instructions = params.instructions;
  if (params.reasoning_effort !== undefined) patch.reasoning_effort = params.reasoning_effort;
  if (params.tools !== undefined) patch.tools = toJson(params.tools ?? []);
  if (params.tool_resources !== undefined) patch.tool_resources = toolResourcesColumn(params.tool_resources);
  if (params.metadata !== undefined) patch.metadata = toJson(params.metadata ?? {});
  if (params.temperature !== undefined) patch.temperature = params.temperature;
  if (params.top_p !== undefined) patch.top_p = params.top_p;
  if (params.response_format !== undefined)
    patch.response_format = params.response_format === null ? null : toJson(params.response_format);
  if (Object.keys(patch).length === 0) return retrieveAssistant(deps, ref);
  await checkReferencedIds(deps.store.db, ref.tenantId, toolResourcesIds(params.tool_resources));
  const row = await updateAssistantRow(deps.store.db, ref.tenantId, ref.assistantId, patch);
  if (!row) throw notFound('assistant', ref.assistantId);
  return row;
}

export function listAssistants(
  deps: AssistantsDeps,
  tenantId: string,
  query: ListQuery,
): Promise<{ rows: AssistantRow[]; hasMore: boolean }> {
  const db = deps.store.db;
  return paginate({
    query,
    fetch: (window) => listAssistantRows(db, tenantId, window),
    seqOf: (id) => findAssistantSeq(db, tenantId, id),
  });
}

export async function deleteAssistant(deps: AssistantsDeps, ref: AssistantRef): Promise<void> {
  const deleted = await deleteAssistantRow(deps.store.db, ref.tenantId, ref.assistantId);
  if (!deleted) throw notFound('assistant', ref.assistantId);
}
