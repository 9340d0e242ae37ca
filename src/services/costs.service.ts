import type { UsageCostsResponse } from 'openai/resources/admin/organization/usage';
import type { Caller } from '../deps.js';
import { gibibyteHours } from '../metering/prices.js';
import { queryStorageSamples, queryUsageMeters } from '../store/repos/usage-meters.repo.js';
import { queryUsageBuckets } from '../store/repos/usage.repo.js';
import type { UsageBucketRow } from '../store/tables/usage-buckets.table.js';
import type { UsageMeterRow, VectorStoreStorageRow } from '../store/tables/usage-meters.table.js';
import {
  byBucket,
  COSTS_LIMITS,
  groupRows,
  inProjects,
  nowMs,
  pageWindow,
  sumOf,
  toPage,
  WIDTH_SECONDS,
  windowRange,
  type UsageDeps,
  type UsagePage,
  type WindowParams,
  usageTenant,
} from './usage-page.js';

/** The SDK's type lacks `quantity_unit`, which the spec's CostsResult has. */
export type CostsResult = UsageCostsResponse.Data.OrganizationCostsResult & { quantity_unit: string | null };

export interface CostsParams extends WindowParams {
  api_key_ids?: readonly string[];
  bucket_width?: '1d';
  group_by?: readonly string[];
}

/** Line items of the built-in tools; a model's tokens are billed under the model's name. */
export const TOOL_LINE_ITEMS = {
  file_search_calls: 'file_search_calls',
  code_interpreter_sessions: 'code_interpreter_sessions',
  vector_store_storage: 'vector_store_storage',
} as const;

/** One priced amount of one source row, the unit of grouping. */
interface CostLine {
  bucket_start: number;
  /** The project (tenant) the amount belongs to. */
  project_id: string;
  /** '' when no API key is behind it (indexing, storage). */
  api_key_id: string;
  line_item: string;
  quantity: number;
  unit: string;
  cost: number;
}

const fromTokens = (r: UsageBucketRow): CostLine => ({
  bucket_start: Number(r.bucket_start),
  project_id: r.tenant_id,
  api_key_id: r.api_key_id,
  line_item: r.model,
  quantity: Number(r.input_tokens) + Number(r.output_tokens),
  unit: 'tokens',
  cost: Number(r.cost_usd),
});

const METER_UNITS = { embeddings: 'tokens', file_search_calls: 'calls', code_interpreter_sessions: 'sessions' } as const;

const fromMeter = (r: UsageMeterRow): CostLine => ({
  bucket_start: Number(r.bucket_start),
  project_id: r.tenant_id,
  api_key_id: r.api_key_id,
  line_item: r.meter === 'embeddings' ? r.subject : TOOL_LINE_ITEMS[r.meter],
  quantity: Number(r.quantity),
  unit: METER_UNITS[r.meter],
  cost: Number(r.cost_usd),
});

const fromStorage = (r: VectorStoreStorageRow): CostLine => ({
  bucket_start: Number(r.bucket_start),
  project_id: r.tenant_id,
  api_key_id: '',
  line_item: TOOL_LINE_ITEMS.vector_store_storage,
  quantity: gibibyteHours({ bytes: Number(r.usage_bytes), seconds: Number(r.seconds) }),
  unit: 'gibibyte_hours',
  cost: Number(r.cost_usd),
});

function toCostsResult(lines: CostLine[], by: { lineItem: boolean; apiKey: boolean; project: boolean }): CostsResult {
  const units = new Set(lines.map((l) => l.unit));
  return {
    object: 'organization.costs.result',
    // Rounded to drop float noise from summing many small amounts.
    amount: { value: Math.round(sumOf(lines, (l) => l.cost) * 1e12) / 1e12, currency: 'usd' },
    line_item: by.lineItem ? lines[0]!.line_item : null,
    project_id: by.project ? lines[0]!.project_id : null,
    api_key_id: by.apiKey ? lines[0]!.api_key_id || null : null,
    quantity: by.lineItem ? sumOf(lines, (l) => l.quantity) : null,
    quantity_unit: by.lineItem && units.size === 1 ? [...units][0]! : null,
  };
}

/** Every priced line of the caller's tenant in [start, end): tokens, tool uses and storage samples. */
async function costLines(deps: UsageDeps, caller: Caller, range: { start: number; end: number }, apiKeyIds?: readonly string[]) {
  const q = { tenantId: usageTenant(caller), ...range, apiKeyIds };
  const [tokens, meters, storage] = await Promise.all([
    queryUsageBuckets(deps.db, q),
    queryUsageMeters(deps.db, q),
    // Storage belongs to no API key: a filter on keys leaves it out.
    apiKeyIds?.length ? [] : queryStorageSamples(deps.db, { tenantId: usageTenant(caller), ...range }),
  ]);
  return [...tokens.map(fromTokens), ...meters.map(fromMeter), ...storage.map(fromStorage)];
}

/**
 * GET /organization/costs for the caller's tenant. Line items: each model's tokens (completions and
 * embeddings) under its name, and the built-in tools under TOOL_LINE_ITEMS.
 */
export async function listCosts(deps: UsageDeps, caller: Caller, params: CostsParams): Promise<UsagePage<CostsResult>> {
  const limit = Math.min(params.limit ?? COSTS_LIMITS.default, COSTS_LIMITS.max);
  const w = pageWindow(params, { width: WIDTH_SECONDS['1d'], limit, now: nowMs(deps) });
  const range = windowRange(w);
  const lines = range ? await costLines(deps, caller, range, params.api_key_ids) : [];
  const by = {
    lineItem: !!params.group_by?.includes('line_item'),
    apiKey: !!params.group_by?.includes('api_key_id'),
    project: !!params.group_by?.includes('project_id'),
  };
  const key = (l: CostLine) => [by.project ? l.project_id : null, by.apiKey ? l.api_key_id : null, by.lineItem ? l.line_item : null];
  return toPage(
    w,
    byBucket(w, inProjects(lines, params.project_ids)).map((inBucket) => groupRows(inBucket, key).map((g) => toCostsResult(g, by))),
  );
}
