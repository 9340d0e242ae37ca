import type { Caller, Clock } from '../deps.js';
import { invalidRequest } from '../errors.js';
import type { Db } from '../store/database.js';

/**
 * The time window and paging every usage endpoint shares (OpenAI's UsageResponse): UTC-aligned
 * buckets from start_time to end_time, `limit` of them per page, `next_page` an opaque cursor.
 */
export type BucketWidth = '1m' | '1h' | '1d';

export interface UsageDeps {
  db: Db;
  clock?: Clock;
}

export const nowMs = (deps: UsageDeps): number => deps.clock?.now() ?? Date.now();

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

export interface WindowParams {
  start_time: number;
  end_time?: number;
  limit?: number;
  page?: string;
  /** Only these projects (a project is a tenant). */
  project_ids?: readonly string[];
}

/** Buckets per page by width: the spec's defaults and maxima. */
export const USAGE_LIMITS: Readonly<Record<BucketWidth, { default: number; max: number }>> = {
  '1d': { default: 7, max: 31 },
  '1h': { default: 24, max: 168 },
  '1m': { default: 60, max: 1440 },
};
export const COSTS_LIMITS = { default: 7, max: 180 } as const;

export const WIDTH_SECONDS: Readonly<Record<BucketWidth, number>> = { '1m': 60, '1h': 3600, '1d': 86_400 };

const encodePage = (start: number): string => 'page_' + Buffer.from(String(start)).toString('base64url');

function decodePage(page: string): number {
  const m = /^page_([A-Za-z0-9_-]+)$/.exec(page);
  const text = m ? Buffer.from(m[1]!, 'base64url').toString() : '';
  if (!/^\d{1,15}$/.test(text)) throw invalidRequest(`Invalid 'page': '${page}' is not a valid page cursor.`, 'page');
  return Number(text);
}

export interface Window {
  /** Start of each bucket on this page, ascending. */
  starts: number[];
  width: number;
  /** end_time: data at or after it is left out. */
  end: number;
  next: number | null;
}

/** The page's buckets: UTC-aligned, from start_time (aligned down) or the cursor, up to end_time (exclusive). */
export function pageWindow(p: WindowParams, opts: { width: number; limit: number; now: number }): Window {
  const { width, limit } = opts;
  // By default, up to now: the end of the current second, so what happened in it is included (a
  // minute's aggregate starts at that second when now is its first second).
  const end = p.end_time ?? Math.floor(opts.now / 1000) + 1;
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

/** The window of a usage endpoint's query (default width 1d, limit by width). */
export function usageWindow(p: WindowParams & { bucket_width?: BucketWidth }, nowMs: number): Window {
  const width = p.bucket_width ?? '1d';
  const limits = USAGE_LIMITS[width];
  return pageWindow(p, { width: WIDTH_SECONDS[width], limit: Math.min(p.limit ?? limits.default, limits.max), now: nowMs });
}

/** [start, end) of the rows a window reads; undefined when the page has no bucket. */
export function windowRange(w: Window): { start: number; end: number } | undefined {
  const first = w.starts[0];
  if (first === undefined) return undefined;
  return { start: first, end: Math.min(first + w.starts.length * w.width, w.end) };
}

/** Rows (each with its minute or slot `bucket_start`) per bucket of the window. */
export function byBucket<T extends { bucket_start: number | string }>(w: Window, rows: readonly T[]): T[][] {
  const perBucket = w.starts.map((): T[] => []);
  const first = w.starts[0];
  if (first === undefined) return perBucket;
  for (const row of rows) perBucket[Math.floor((Number(row.bucket_start) - first) / w.width)]?.push(row);
  return perBucket;
}

/** Groups rows by a key (groups in a stable order); one group for all rows when the key is constant. */
export function groupRows<T>(rows: readonly T[], key: (row: T) => unknown[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = JSON.stringify(key(row));
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

export function toPage<R>(w: Window, results: R[][]): UsagePage<R> {
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

/** Sum of a numeric column (bigints arrive as strings from PostgreSQL). */
export const sumOf = <T>(rows: readonly T[], value: (row: T) => number | string): number =>
  rows.reduce((acc, r) => acc + Number(value(r)), 0);

/** Whose usage a caller sees: its own tenant's, or (an admin key) every tenant's: null. */
export const usageTenant = (caller: Caller): string | null => (caller.admin ? null : caller.tenantId);

/** The rows of the `project_ids` asked for (a project is a tenant); all of them when none are. */
export function inProjects<T extends { tenant_id: string } | { project_id: string }>(rows: readonly T[], projectIds?: readonly string[]): T[] {
  if (!projectIds?.length) return [...rows];
  return rows.filter((r) => projectIds.includes('tenant_id' in r ? r.tenant_id : r.project_id));
}
