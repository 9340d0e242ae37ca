import type { UsageCompletionsResponse } from 'openai/resources/admin/organization/usage';
import type { Caller } from '../deps.js';
import { queryUsageBuckets } from '../store/repos/usage.repo.js';
import type { UsageBucketRow } from '../store/tables/usage-buckets.table.js';
import {
  byBucket,
  groupRows,
  inProjects,
  nowMs,
  sumOf,
  toPage,
  usageWindow,
  windowRange,
  type BucketWidth,
  type UsageDeps,
  type UsagePage,
  type WindowParams,
  usageTenant,
} from './usage-page.js';

export { COSTS_LIMITS, USAGE_LIMITS, type BucketWidth, type UsageBucket, type UsageDeps, type UsagePage } from './usage-page.js';
export { listCosts, type CostsParams, type CostsResult } from './costs.service.js';

export type CompletionsResult = UsageCompletionsResponse.Data.OrganizationUsageCompletionsResult;

export interface CompletionsUsageParams extends WindowParams {
  api_key_ids?: readonly string[];
  bucket_width?: BucketWidth;
  group_by?: readonly string[];
  models?: readonly string[];
  batch?: boolean;
}


function toCompletionsResult(rows: UsageBucketRow[], by: { model: boolean; apiKey: boolean; project: boolean }): CompletionsResult {
  const input = sumOf(rows, (r) => r.input_tokens);
  const cached = sumOf(rows, (r) => r.input_cached_tokens);
  return {
    object: 'organization.usage.completions.result',
    input_tokens: input,
    input_cached_tokens: cached,
    input_cache_write_tokens: 0,
    input_uncached_tokens: input - cached,
    output_tokens: sumOf(rows, (r) => r.output_tokens),
    input_text_tokens: 0,
    output_text_tokens: 0,
    input_cached_text_tokens: 0,
    input_audio_tokens: 0,
    input_cached_audio_tokens: 0,
    output_audio_tokens: 0,
    input_image_tokens: 0,
    input_cached_image_tokens: 0,
    output_image_tokens: 0,
    num_model_requests: sumOf(rows, (r) => r.num_model_requests),
    project_id: by.project ? rows[0]!.tenant_id : null,
    user_id: null,
    api_key_id: by.apiKey ? rows[0]!.api_key_id : null,
    model: by.model ? rows[0]!.model : null,
    batch: null,
    service_tier: null,
  };
}

/** GET /organization/usage/completions for the caller's tenant. */
export async function listCompletionsUsage(
  deps: UsageDeps,
  caller: Caller,
  params: CompletionsUsageParams,
): Promise<UsagePage<CompletionsResult>> {
  const w = usageWindow(params, nowMs(deps));
  const range = windowRange(w);
  // Switchboard runs no batch jobs: batch=true selects nothing.
  const rows =
    params.batch === true || !range
      ? []
      : await queryUsageBuckets(deps.db, { tenantId: usageTenant(caller), ...range, apiKeyIds: params.api_key_ids, models: params.models });
  const by = {
    model: !!params.group_by?.includes('model'),
    apiKey: !!params.group_by?.includes('api_key_id'),
    project: !!params.group_by?.includes('project_id'),
  };
  const key = (r: UsageBucketRow) => [by.project ? r.tenant_id : null, by.apiKey ? r.api_key_id : null, by.model ? r.model : null];
  return toPage(
    w,
    byBucket(w, inProjects(rows, params.project_ids)).map((inBucket) => groupRows(inBucket, key).map((g) => toCompletionsResult(g, by))),
  );
}
