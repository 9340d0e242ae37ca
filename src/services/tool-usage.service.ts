import type {
  UsageCodeInterpreterSessionsResponse,
  UsageEmbeddingsResponse,
  UsageFileSearchCallsResponse,
  UsageVectorStoresResponse,
} from 'openai/resources/admin/organization/usage';
import type { Caller } from '../deps.js';
import { queryStorageSamples, queryUsageMeters } from '../store/repos/usage-meters.repo.js';
import type { Meter, UsageMeterRow } from '../store/tables/usage-meters.table.js';
import {
  byBucket,
  groupRows,
  nowMs,
  sumOf,
  toPage,
  usageWindow,
  windowRange,
  type BucketWidth,
  type UsageDeps,
  type UsagePage,
  type Window,
  type WindowParams,
  usageTenant,
} from './usage-page.js';

/**
 * OpenAI's usage endpoints for what is not chat tokens: embeddings, file_search calls, code_interpreter
 * sessions and vector store storage, over the caller's tenant.
 */
export type EmbeddingsResult = UsageEmbeddingsResponse.Data.OrganizationUsageEmbeddingsResult;
export type FileSearchCallsResult = UsageFileSearchCallsResponse.Data.OrganizationUsageFileSearchesResult;
export type CodeInterpreterSessionsResult = UsageCodeInterpreterSessionsResponse.Data.OrganizationUsageCodeInterpreterSessionsResult;
export type VectorStoresResult = UsageVectorStoresResponse.Data.OrganizationUsageVectorStoresResult;

export interface ToolUsageParams extends WindowParams {
  bucket_width?: BucketWidth;
  group_by?: readonly string[];
  api_key_ids?: readonly string[];
  /** embeddings: only these models. */
  models?: readonly string[];
  /** file_search_calls: only these vector stores. */
  vector_store_ids?: readonly string[];
}

/** The meter's rows per bucket of the query's window. */
async function meterBuckets(
  deps: UsageDeps,
  caller: Caller,
  q: { meter: Meter; params: ToolUsageParams; subjects?: readonly string[] },
): Promise<{ w: Window; buckets: UsageMeterRow[][] }> {
  const w = usageWindow(q.params, nowMs(deps));
  const range = windowRange(w);
  const rows = range
    ? await queryUsageMeters(deps.db, {
        tenantId: usageTenant(caller),
        meter: q.meter,
        ...range,
        apiKeyIds: q.params.api_key_ids,
        subjects: q.subjects,
      })
    : [];
  return { w, buckets: byBucket(w, rows) };
}

const grouped = (params: ToolUsageParams, field: string): boolean => !!params.group_by?.includes(field);
const keyOrNull = (id: string): string | null => id || null;

/** GET /organization/usage/embeddings: /v1/embeddings calls and the tokens spent indexing files. */
export async function listEmbeddingsUsage(deps: UsageDeps, caller: Caller, params: ToolUsageParams): Promise<UsagePage<EmbeddingsResult>> {
  const { w, buckets } = await meterBuckets(deps, caller, { meter: 'embeddings', params, subjects: params.models });
  const by = { apiKey: grouped(params, 'api_key_id'), model: grouped(params, 'model') };
  const key = (r: UsageMeterRow) => [by.apiKey ? r.api_key_id : null, by.model ? r.subject : null];
  const result = (rows: UsageMeterRow[]): EmbeddingsResult => ({
    object: 'organization.usage.embeddings.result',
    input_tokens: sumOf(rows, (r) => r.quantity),
    num_model_requests: sumOf(rows, (r) => r.num_requests),
    project_id: null,
    user_id: null,
    api_key_id: by.apiKey ? keyOrNull(rows[0]!.api_key_id) : null,
    model: by.model ? rows[0]!.subject : null,
  });
  return toPage(w, buckets.map((rows) => groupRows(rows, key).map(result)));
}

/** GET /organization/usage/file_search_calls: file_search calls runs executed, by the vector store searched. */
export async function listFileSearchCallsUsage(
  deps: UsageDeps,
  caller: Caller,
  params: ToolUsageParams,
): Promise<UsagePage<FileSearchCallsResult>> {
  const { w, buckets } = await meterBuckets(deps, caller, { meter: 'file_search_calls', params, subjects: params.vector_store_ids });
  const by = { apiKey: grouped(params, 'api_key_id'), store: grouped(params, 'vector_store_id') };
  const key = (r: UsageMeterRow) => [by.apiKey ? r.api_key_id : null, by.store ? r.subject : null];
  const result = (rows: UsageMeterRow[]): FileSearchCallsResult => ({
    object: 'organization.usage.file_searches.result',
    num_requests: sumOf(rows, (r) => r.quantity),
    project_id: null,
    user_id: null,
    api_key_id: by.apiKey ? keyOrNull(rows[0]!.api_key_id) : null,
    vector_store_id: by.store ? keyOrNull(rows[0]!.subject) : null,
  });
  return toPage(w, buckets.map((rows) => groupRows(rows, key).map(result)));
}

/** GET /organization/usage/code_interpreter_sessions: sandbox sessions started for runs. */
export async function listCodeInterpreterSessionsUsage(
  deps: UsageDeps,
  caller: Caller,
  params: ToolUsageParams,
): Promise<UsagePage<CodeInterpreterSessionsResult>> {
  // The spec filters and groups these by project only: API keys do not apply.
  const { w, buckets } = await meterBuckets(deps, caller, { meter: 'code_interpreter_sessions', params: { ...params, api_key_ids: undefined } });
  const result = (rows: UsageMeterRow[]): CodeInterpreterSessionsResult => ({
    object: 'organization.usage.code_interpreter_sessions.result',
    num_sessions: sumOf(rows, (r) => r.quantity),
    project_id: null,
  });
  return toPage(w, buckets.map((rows) => (rows.length ? [result(rows)] : [])));
}

/**
 * GET /organization/usage/vector_stores: the bytes the tenant's vector stores held, as last sampled
 * in each bucket (buckets with no sample have no result).
 */
export async function listVectorStoresUsage(deps: UsageDeps, caller: Caller, params: ToolUsageParams): Promise<UsagePage<VectorStoresResult>> {
  const w = usageWindow(params, nowMs(deps));
  const range = windowRange(w);
  const samples = range ? await queryStorageSamples(deps.db, { tenantId: usageTenant(caller), ...range }) : [];
  return toPage(
    w,
    byBucket(w, samples).map((rows) => {
      const last = rows.at(-1);
      return last ? [{ object: 'organization.usage.vector_stores.result', usage_bytes: Number(last.usage_bytes), project_id: null }] : [];
    }),
  );
}
