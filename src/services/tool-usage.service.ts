import type {
  UsageCodeInterpreterSessionsResponse,
  UsageEmbeddingsResponse,
  UsageFileSearchCallsResponse,
  UsageVectorStoresResponse,
} from 'openai/resources/admin/organization/usage';
import type { Caller } from '../deps.js';
import { queryStorageSamples, queryUsageMeters } from '../store/repos/usage-meters.repo.js';
import type { Meter, UsageMeterRow, VectorStoreStorageRow } from '../store/tables/usage-meters.table.js';
import {
  byBucket,
  groupRows,
  nowMs,
  inProjects,
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
  return { w, buckets: byBucket(w, inProjects(rows, q.params.project_ids)) };
}

const grouped = (params: ToolUsageParams, field: string): boolean => !!params.group_by?.includes(field);
const keyOrNull = (id: string): string | null => id || null;
/** The project (tenant) of a group's rows when grouped by project_id. */
const projectOf = (byProject: boolean, rows: readonly { tenant_id: string }[]): string | null => (byProject ? rows[0]!.tenant_id : null);

/** GET /organization/usage/embeddings: /v1/embeddings calls and the tokens spent indexing files. */
export async function listEmbeddingsUsage(deps: UsageDeps, caller: Caller, params: ToolUsageParams): Promise<UsagePage<EmbeddingsResult>> {
  const { w, buckets } = await meterBuckets(deps, caller, { meter: 'embeddings', params, subjects: params.models });
  const by = { project: grouped(params, 'project_id'), apiKey: grouped(params, 'api_key_id'), model: grouped(params, 'model') };
  const key = (r: UsageMeterRow) => [by.project ? r.tenant_id : null, by.apiKey ? r.api_key_id : null, by.model ? r.subject : null];
  const result = (rows: UsageMeterRow[]): EmbeddingsResult => ({
    object: 'organization.usage.embeddings.result',
    input_tokens: sumOf(rows, (r) => r.quantity),
    num_model_requests: sumOf(rows, (r) => r.num_requests),
    project_id: projectOf(by.project, rows),
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
  const by = { project: grouped(params, 'project_id'), apiKey: grouped(params, 'api_key_id'), store: grouped(params, 'vector_store_id') };
  const key = (r: UsageMeterRow) => [by.project ? r.tenant_id : null, by.apiKey ? r.api_key_id : null, by.store ? r.subject : null];
  const result = (rows: UsageMeterRow[]): FileSearchCallsResult => ({
    object: 'organization.usage.file_searches.result',
    num_requests: sumOf(rows, (r) => r.quantity),
    project_id: projectOf(by.project, rows),
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
  const byProject = grouped(params, 'project_id');
  const result = (rows: UsageMeterRow[]): CodeInterpreterSessionsResult => ({
    object: 'organization.usage.code_interpreter_sessions.result',
    num_sessions: sumOf(rows, (r) => r.quantity),
    project_id: projectOf(byProject, rows),
  });
  return toPage(w, buckets.map((rows) => groupRows(rows, (r) => [byProject ? r.tenant_id : null]).map(result)));
}

/**
 * GET /organization/usage/vector_stores: the bytes the vector stores held, as last sampled in each bucket, summed over
 * the projects (tenants) seen, or one result per project when grouped by it (buckets with no sample have no result).
 */
export async function listVectorStoresUsage(deps: UsageDeps, caller: Caller, params: ToolUsageParams): Promise<UsagePage<VectorStoresResult>> {
  const w = usageWindow(params, nowMs(deps));
  const range = windowRange(w);
  const samples = range ? await queryStorageSamples(deps.db, { tenantId: usageTenant(caller), ...range }) : [];
  const byProject = grouped(params, 'project_id');
  const result = (lasts: VectorStoreStorageRow[]): VectorStoresResult => ({
    object: 'organization.usage.vector_stores.result',
    usage_bytes: sumOf(lasts, (r) => r.usage_bytes),
    project_id: projectOf(byProject, lasts),
  });
  return toPage(
    w,
    byBucket(w, inProjects(samples, params.project_ids)).map((rows) => {
      const lasts = groupRows(rows, (r) => [r.tenant_id]).map((perTenant) => perTenant.at(-1)!);
      return groupRows(lasts, (r) => [byProject ? r.tenant_id : null]).map(result);
    }),
  );
}
