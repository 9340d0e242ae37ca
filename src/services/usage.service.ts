import type { UsageCompletionsResponse, UsageCostsResponse } from 'openai/resources/admin/organization/usage';
import type { Caller, Clock } from '../deps.js';
import { invalidRequest } from '../errors.js';
import type { Db } from '../store/database.js';
import { queryUsageBuckets } from '../store/repos/usage.repo.js';
import type { UsageBucketRow } from '../store/tables/usage-buckets.table.js';

export type BucketWidth = '1m' | '1h' | '1d';
export type CompletionsResult = UsageCompletionsResponse.Data.OrganizationUsageCompletionsResult;
/** The SDK's type lacks `quantity_unit`, which the spec's CostsResult has. */
export type CostsResult = UsageCostsResponse.Data.OrganizationCostsResult & { quantity_unit: string | null };
export interface UsageBucket<R> {
  object: 'bucket';
  start_time: number;
  end_time: number;
  results: R[];
}
/** OpenAI's UsageResponse. */
export interface UsagePage<R> {
  object: 'page';
  data: UsageBucket<R>[];
  has_more: boolean;
  next_page: string | null;
}

export interface UsageDeps {
  db: Db;
  clock?: Clock;
}

interface WindowParams {
  start_time: number;
  end_time?: number;
  limit?: number;
  page?: string;
  api_key_ids?: readonly string[];
}
export interface CompletionsUsageParams extends WindowParams {
  bucket_width?: BucketWidth;
  group_by?: readonly string[];
  models?: readonly string[];
  batch?: boolean;
}
export interface CostsParams extends WindowParams {
  bucket_width?: '1d';
  group_by?: readonly string[];
}

/** Buckets per page by width: the spec's defaults and maxima. */
export const USAGE_LIMITS: Readonly<Record<BucketWidth, { default: number; max: number }>> = {
  '1d': { default: 7, max: 31 },
  '1h': { default: 24, max: 168 },
  '1m': { default: 60, max: 1440 },
};
export const COSTS_LIMITS = { default: 7, max: 180 } as const;

const WIDTH_SECONDS: Readonly<Record<BucketWidth, number>> = { '1m': 60, '1h': 3600, '1d': 86_400 };

const encodePage = (start: number): string => 'page_' + Buffer.from(String(start)).toString('base64url');

function decodePage(page: string): number {
  const m = /^page_([A-Za-z0-9_-]+)$/.exec(page);
  const text = m ? Buffer.from(m[1]!, 'base64url').toString() : '';
  if (!/^\d{1,15}$/.test(text)) throw invalidRequest(`Invalid 'page': '${page}' is not a valid page cursor.`, 'page');
  return Number(text);
}

interface Window {
  /** Start of each bucket on this page, ascending. */
  starts: number[];
  width: number;
  /** end_time: data at or after it is left out. */
  end: number;
  next: number | null;
}

/** The page's buckets: UTC-aligned, from start_time (aligned down) or the cursor, up to end_time (exclusive). */
function pageWindow(p: WindowParams, opts: { width: number; limit: number; now: number }): Window {
  const { width, limit } = opts;
  const end = p.end_time ?? Math.floor(opts.now / 1000);
  if (p.end_time !== undefined && end <= p.start_time)
    throw invalidRequest("Invalid 'end_time': it must be greater than 'start_time'.", 'end_time');
  const first = Math.floor(p.start_time / width) * width;
  const from = p.page === undefined ? first : decodePage(p.page);
  if (from < first || (from - first) % width !== 0)
    throw invalidRequest(`Invalid 'page': '${p.page}' does not belong to this query.`, 'page');
  const starts: number[] = [];
  let t = from;
  for (; t < end && starts.length < limit; t += width) starts.push(t);
  return { starts, width, end, next: t < end && starts.length > 0 ? t : null };
}

/** Reads the caller's minute rows for the window and returns them per bucket index. */
async function rowsByBucket(
  db: Db,
  caller: Caller,
  w: Window,
  filter: { apiKeyIds?: readonly string[]; models?: readonly string[] },
): Promise<UsageBucketRow[][]> {
  const perBucket = w.starts.map((): UsageBucketRow[] => []);
  const first = w.starts[0];
  if (first === undefined) return perBucket;
  const rows = await queryUsageBuckets(db, {
    tenantId: caller.tenantId,
    start: first,
    end: Math.min(first + w.starts.length * w.width, w.end),
    apiKeyIds: filter.apiKeyIds,
    models: filter.models,
  });
  for (const row of rows) perBucket[Math.floor((row.bucket_start - first) / w.width)]?.push(row);
  return perBucket;
}

/** Groups rows by the chosen columns (in a stable order); one group for all rows when none is chosen. */
function groupRows(rows: UsageBucketRow[], by: { model: boolean; apiKey: boolean }): UsageBucketRow[][] {
  const groups = new Map<string, UsageBucketRow[]>();
  for (const row of rows) {
    const key = JSON.stringify([by.apiKey ? row.api_key_id : null, by.model ? row.model : null]);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

type Counter = 'input_tokens' | 'input_cached_tokens' | 'output_tokens' | 'num_model_requests' | 'cost_usd';
const sum = (rows: UsageBucketRow[], col: Counter): number => rows.reduce((acc, r) => acc + Number(r[col]), 0);

function toCompletionsResult(rows: UsageBucketRow[], by: { model: boolean; apiKey: boolean }): CompletionsResult {
  const input = sum(rows, 'input_tokens');
  const cached = sum(rows, 'input_cached_tokens');
  return {
    object: 'organization.usage.completions.result',
    input_tokens: input,
    input_cached_tokens: cached,
    input_cache_write_tokens: 0,
    input_uncached_tokens: input - cached,
    output_tokens: sum(rows, 'output_tokens'),
    input_text_tokens: 0,
    output_text_tokens: 0,
    input_cached_text_tokens: 0,
    input_audio_tokens: 0,
    input_cached_audio_tokens: 0,
    output_audio_tokens: 0,
    input_image_tokens: 0,
    input_cached_image_tokens: 0,
    output_image_tokens: 0,
    num_model_requests: sum(rows, 'num_model_requests'),
    project_id: null,
    user_id: null,
    api_key_id: by.apiKey ? rows[0]!.api_key_id : null,
    model: by.model ? rows[0]!.model : null,
    batch: null,
    service_tier: null,
  };
}

function toCostsResult(rows: UsageBucketRow[], by: { model: boolean; apiKey: boolean }): CostsResult {
  return {
    object: 'organization.costs.result',
    // Rounded to drop float noise from summing many small amounts.
    amount: { value: Math.round(sum(rows, 'cost_usd') * 1e12) / 1e12, currency: 'usd' },
    line_item: by.model ? rows[0]!.model : null,
    project_id: null,
    api_key_id: by.apiKey ? rows[0]!.api_key_id : null,
    quantity: by.model ? sum(rows, 'input_tokens') + sum(rows, 'output_tokens') : null,
    quantity_unit: by.model ? 'tokens' : null,
  };
}

function toPage<R>(w: Window, results: R[][]): UsagePage<R> {
  return {
    object: 'page',
    data: w.starts.map((start, i) => ({
      object: 'bucket',
      start_time: start,
      end_time: start + w.width,
      results: results[i] ?? [],
    })),
    has_more: w.next !== null,
    next_page: w.next === null ? null : encodePage(w.next),
  };
}

const nowMs = (deps: UsageDeps): number => deps.clock?.now() ?? Date.now();

/** GET /organization/usage/completions for the caller's tenant. */
export async function listCompletionsUsage(
  deps: UsageDeps,
  caller: Caller,
  params: CompletionsUsageParams,
): Promise<UsagePage<CompletionsResult>> {
  const bucketWidth = params.bucket_width ?? '1d';
  const limits = USAGE_LIMITS[bucketWidth];
  const limit = Math.min(params.limit ?? limits.default, limits.max);
  const w = pageWindow(params, { width: WIDTH_SECONDS[bucketWidth], limit, now: nowMs(deps) });
  // Switchboard runs no batch jobs: batch=true selects nothing.
  const perBucket =
    params.batch === true
      ? w.starts.map(() => [])
      : await rowsByBucket(deps.db, caller, w, { apiKeyIds: params.api_key_ids, models: params.models });
  const by = { model: !!params.group_by?.includes('model'), apiKey: !!params.group_by?.includes('api_key_id') };
  return toPage(
    w,
    perBucket.map((rows) => groupRows(rows, by).map((g) => toCompletionsResult(g, by))),
  );
}

/** GET /organization/costs for the caller's tenant; a line item is a model. */
export async function listCosts(deps: UsageDeps, caller: Caller, params: CostsParams): Promise<UsagePage<CostsResult>> {
  const limit = Math.min(params.limit ?? COSTS_LIMITS.default, COSTS_LIMITS.max);
  const w = pageWindow(params, { width: WIDTH_SECONDS['1d'], limit, now: nowMs(deps) });
  const perBucket = await rowsByBucket(deps.db, caller, w, { apiKeyIds: params.api_key_ids });
  const by = { model: !!params.group_by?.includes('line_item'), apiKey: !!params.group_by?.includes('api_key_id') };
  return toPage(
    w,
    perBucket.map((rows) => groupRows(rows, by).map((g) => toCostsResult(g, by))),
  );
}
