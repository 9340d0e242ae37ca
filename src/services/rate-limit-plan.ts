import type { ProjectRateLimitRow } from '../store/tables/rate-limits.table.js';
import type { CounterDelta, WindowCell } from './rate-limit-counters.js';

export type Limits = Pick<ProjectRateLimitRow, 'max_requests_per_1_minute' | 'max_tokens_per_1_minute' | 'max_requests_per_1_day'>;

/** One counted window of a project's model: requests per minute or day, tokens per minute. */
export interface WindowPlan {
  name: 'rpm' | 'rpd' | 'tpm';
  limit: number;
  /** The counter's key (project, model, window), built once: every call reuses the same string. */
  key: string;
  /** Length in seconds (60 or 86 400). */
  seconds: number;
  /** `limit` as header text. */
  limitText: string;
  /** Its place in the plan's windows (and in the counters' answer). */
  index: number;
  /** The reset header's text for the second it was last made in: one string a second, not one a call. */
  reset: { sec: number; text: string };
  /** The window's count in this process (MemoryCounters), added to directly; undefined when counted in the database. */
  cell: WindowCell | undefined;
}

/**
 * What admitting a call to one project's model counts, worked out once when the project's limits are loaded (not
 * per call): its windows, and which of them the `x-ratelimit-*` requests and tokens trios report.
 */
export interface ModelPlan {
  /** The limits it was planned from (a refresh that reads the same ones keeps the plan). */
  limits: Limits;
  windows: readonly WindowPlan[];
  /** The window of the requests trio: the minute's, else the day's. */
  requests: WindowPlan | undefined;
  tokens: WindowPlan | undefined;
  /** Whether every window is counted in this process (each has its cell): admitted with no promise and no lookup. */
  here: boolean;
  /** The counts a call just made, in the order of `windows`: scratch space, read before the call returns. */
  values: number[];
}

export const counterKey = (tenantId: string, model: string, name: string): string => `${tenantId}\n${model}\n${name}`;

type CellOf = ((key: string) => WindowCell) | undefined;

function windowPlan(o: { tenantId: string; model: string; name: WindowPlan['name']; limit: number; seconds: number; index: number; cellOf: CellOf }): WindowPlan {
  const key = counterKey(o.tenantId, o.model, o.name);
  const w = { name: o.name, limit: o.limit, key, seconds: o.seconds, limitText: String(o.limit), index: o.index };
  return { ...w, reset: { sec: NaN, text: '' }, cell: o.cellOf?.(key) };
}

/**
 * The plan of a model's limits (0 = no limit on that window); undefined when none of them limits anything. `cellOf`:
 * the counters' cells, when the counts are in this process.
 */
export function planOf(tenantId: string, model: string, limits: Limits, cellOf?: CellOf): ModelPlan | undefined {
  const all = [
    { name: 'rpm' as const, limit: limits.max_requests_per_1_minute, seconds: 60 },
    { name: 'rpd' as const, limit: limits.max_requests_per_1_day, seconds: 86_400 },
    { name: 'tpm' as const, limit: limits.max_tokens_per_1_minute, seconds: 60 },
  ];
  const windows = all.filter((w) => w.limit > 0).map((w, index) => windowPlan({ tenantId, model, ...w, index, cellOf }));
  if (windows.length === 0) return undefined;
  const named = (name: WindowPlan['name']) => windows.find((w) => w.name === name);
  const here = windows.every((w) => w.cell !== undefined);
  const planned: Limits = {
    max_requests_per_1_minute: limits.max_requests_per_1_minute,
    max_tokens_per_1_minute: limits.max_tokens_per_1_minute,
    max_requests_per_1_day: limits.max_requests_per_1_day,
  };
  return { limits: planned, windows, requests: named('rpm') ?? named('rpd'), tokens: named('tpm'), here, values: windows.map(() => 0) };
}

const sameLimits = (a: Limits, b: Limits): boolean =>
  a.max_requests_per_1_minute === b.max_requests_per_1_minute &&
  a.max_tokens_per_1_minute === b.max_tokens_per_1_minute &&
  a.max_requests_per_1_day === b.max_requests_per_1_day;

/**
 * A project's plans by model from its limit rows, at each refresh of its cached limits (every second). A model whose
 * limits are unchanged keeps its plan, the same objects: new ones at every refresh have V8 deoptimize the admitting
 * code that was compiled for the last ones ("wrong map"), about 16 deoptimizations every 6 s under load.
 */
export function plansOf(tenantId: string, rows: ReadonlyArray<Limits & { model: string }>, before: ReadonlyMap<string, ModelPlan> | undefined, cellOf?: CellOf): Map<string, ModelPlan> {
  const plans = new Map<string, ModelPlan>();
  for (const row of rows) {
    const kept = before?.get(row.model);
    const plan = kept && sameLimits(kept.limits, row) ? kept : planOf(tenantId, row.model, row, cellOf);
    if (plan) plans.set(row.model, plan);
  }
  return plans;
}

/** Unix seconds at which the window holding `nowSec` started. */
export const windowStart = (w: WindowPlan, nowSec: number): number => Math.floor(nowSec / w.seconds) * w.seconds;

/** One call's additions: 1 to each requests window, `tokens` to the tokens window (a plain loop: no closure per call). */
export function deltasOf(plan: ModelPlan, nowSec: number, tokens: number): CounterDelta[] {
  const { windows } = plan;
  const out = new Array<CounterDelta>(windows.length);
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i]!;
    out[i] = { key: w.key, windowStart: windowStart(w, nowSec), value: w.name === 'tpm' ? tokens : 1 };
  }
  return out;
}

/** The additions that take `deltas` back (a refused call's). */
export function negated(deltas: readonly CounterDelta[]): CounterDelta[] {
  const out = new Array<CounterDelta>(deltas.length);
  for (let i = 0; i < deltas.length; i++) out[i] = { key: deltas[i]!.key, windowStart: deltas[i]!.windowStart, value: -deltas[i]!.value };
  return out;
}

/** Seconds until the window holding `nowSec` ends. */
export const secondsLeft = (w: WindowPlan, nowSec: number): number => windowStart(w, nowSec) + w.seconds - nowSec;

const remaining = (w: WindowPlan, value: number): string => String(Math.max(0, w.limit - value));
function reset(w: WindowPlan, nowSec: number): string {
  const r = w.reset;
  if (r.sec !== nowSec) {
    r.sec = nowSec;
    r.text = `${secondsLeft(w, nowSec)}s`;
  }
  return r.text;
}

/** Where OpenAI's `x-ratelimit-*` headers are written: a Fastify reply (its `header()`), or a plain record. */
export interface HeaderSink {
  header(name: string, value: string): unknown;
}

/**
 * OpenAI's six headers (the requests trio and the tokens trio, each when its window is limited) from a call's new
 * counts (`requests`, `tokens`: 0 for a window not limited), written one by one under fixed names: no object of
 * headers between the limiter and the reply, no key list to walk, and each call site sees one name.
 */
export function writeHeaders(plan: ModelPlan, requests: number, tokens: number, nowSec: number, to: HeaderSink): void {
  const { requests: r, tokens: t } = plan;
  if (r) {
    to.header('x-ratelimit-limit-requests', r.limitText);
    to.header('x-ratelimit-remaining-requests', remaining(r, requests));
    to.header('x-ratelimit-reset-requests', reset(r, nowSec));
  }
  if (t) {
    to.header('x-ratelimit-limit-tokens', t.limitText);
    to.header('x-ratelimit-remaining-tokens', remaining(t, tokens));
    to.header('x-ratelimit-reset-tokens', reset(t, nowSec));
  }
}

/** Collects the headers into a record. */
class HeaderRecord implements HeaderSink {
  readonly out: Record<string, string> = {};
  header(name: string, value: string): void {
    this.out[name] = value;
  }
}

/** The new count of the plan's window `w` in `values` (in the order of plan.windows), 0 when it is not limited. */
export const countOf = (w: WindowPlan | undefined, values: readonly number[]): number => (w ? (values[w.index] ?? 0) : 0);

/** OpenAI's headers as a record, from a call's new counts (a refusal's, which the error carries to its 429). */
export function headerRecord(plan: ModelPlan, requests: number, tokens: number, nowSec: number): Record<string, string> {
  const record = new HeaderRecord();
  writeHeaders(plan, requests, tokens, nowSec, record);
  return record.out;
}

/** OpenAI's headers from the counters' new `values` (in the order of plan.windows, each window's `index`). */
export const headersOf = (plan: ModelPlan, values: readonly number[], nowSec: number): Record<string, string> =>
  headerRecord(plan, countOf(plan.requests, values), countOf(plan.tokens, values), nowSec);
