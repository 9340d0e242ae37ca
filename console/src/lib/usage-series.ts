import type { UsageCompletionsResponse, UsageCostsResponse } from 'openai/resources/admin/organization/usage';

/** What the usage page groups by: the completions API's `group_by` value. */
export type UsageGrouping = 'model' | 'api_key_id';

type CompletionsBucket = UsageCompletionsResponse.Data;
type CostsBucket = UsageCostsResponse.Data;
type CompletionsResult = UsageCompletionsResponse.Data.OrganizationUsageCompletionsResult;
type CostsResult = UsageCostsResponse.Data.OrganizationCostsResult;

/** One line of the table under the chart: a day and a group (a model or a key). */
export interface UsageRow {
  day: number;
  group: string;
  input_tokens: number;
  output_tokens: number;
  requests: number;
  cost: number;
}

/** The chart's data: x = day starts (unix seconds); one token series per group; the total cost per day. */
export interface UsageSeries {
  days: number[];
  groups: string[];
  tokens: number[][];
  cost: number[];
  rows: UsageRow[];
}

/** The label of a group whose id is null (costs of no key, such as storage). */
export const NO_GROUP = '(none)';

const isCompletions = (r: CompletionsBucket['results'][number]): r is CompletionsResult =>
  r.object === 'organization.usage.completions.result';
const isCosts = (r: CostsBucket['results'][number]): r is CostsResult => r.object === 'organization.costs.result';

/** The costs endpoint groups models by `line_item` where completions say `model`. */
export const costsGroupBy = (g: UsageGrouping): 'line_item' | 'api_key_id' => (g === 'model' ? 'line_item' : 'api_key_id');

function completionsGroup(r: CompletionsResult, g: UsageGrouping): string {
  return (g === 'model' ? r.model : r.api_key_id) ?? NO_GROUP;
}

function costsGroup(r: CostsResult, g: UsageGrouping): string {
  return (g === 'model' ? r.line_item : r.api_key_id) ?? NO_GROUP;
}

function rowFor(table: Map<string, UsageRow>, day: number, group: string): UsageRow {
  const key = `${day}\u0000${group}`;
  let row = table.get(key);
  if (!row) {
    row = { day, group, input_tokens: 0, output_tokens: 0, requests: 0, cost: 0 };
    table.set(key, row);
  }
  return row;
}

/**
 * Joins the completions buckets and the costs buckets of one period (both grouped the same way)
 * into table rows (by day, then group) and chart series.
 */
export function toUsageSeries(opts: {
  completions: readonly CompletionsBucket[];
  costs: readonly CostsBucket[];
  groupBy: UsageGrouping;
}): UsageSeries {
  const table = new Map<string, UsageRow>();
  const days = new Set<number>();
  for (const bucket of opts.completions) {
    days.add(bucket.start_time);
    for (const r of bucket.results.filter(isCompletions)) {
      const row = rowFor(table, bucket.start_time, completionsGroup(r, opts.groupBy));
      row.input_tokens += r.input_tokens;
      row.output_tokens += r.output_tokens;
      row.requests += r.num_model_requests;
    }
  }
  for (const bucket of opts.costs) {
    days.add(bucket.start_time);
    for (const r of bucket.results.filter(isCosts)) {
      rowFor(table, bucket.start_time, costsGroup(r, opts.groupBy)).cost += r.amount?.value ?? 0;
    }
  }
  const dayList = [...days].sort((a, b) => a - b);
  const rows = [...table.values()].sort((a, b) => a.day - b.day || a.group.localeCompare(b.group));
  const groups = [...new Set(rows.filter((r) => r.input_tokens + r.output_tokens > 0).map((r) => r.group))].sort();
  const at = (day: number, group: string) => table.get(`${day}\u0000${group}`);
  return {
    days: dayList,
    groups,
    tokens: groups.map((g) => dayList.map((d) => (at(d, g)?.input_tokens ?? 0) + (at(d, g)?.output_tokens ?? 0))),
    cost: dayList.map((d) => rows.filter((r) => r.day === d).reduce((sum, r) => sum + r.cost, 0)),
    rows,
  };
}

/** `YYYY-MM-DD` (a date input's value) → unix seconds at 00:00 UTC, or undefined when malformed. */
export function dayStart(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Unix seconds → `YYYY-MM-DD` in UTC, the value a date input takes. */
export const toDateValue = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);

/** The query window of a period picked with two date inputs (both days included), or an error text. */
export function periodWindow(from: string, to: string): { start_time: number; end_time: number; days: number } | string {
  const start = dayStart(from);
  const end = dayStart(to);
  if (start === undefined || end === undefined) return 'Pick a start and an end date.';
  if (end < start) return 'The end date is before the start date.';
  const days = (end - start) / 86_400 + 1;
  if (days > 180) return 'Pick a period of at most 180 days.';
  return { start_time: start, end_time: end + 86_400, days };
}
