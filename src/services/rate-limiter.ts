import type { Budget } from '../config/metering.js';
import type { Admission, Clock, RateLimits } from '../deps.js';
import type { Db } from '../store/database.js';
import { listRateLimitRows } from '../store/repos/rate-limits.repo.js';
import { metrics } from '../telemetry/metrics.js';
import type { CounterDelta, RateLimitCounters, WindowCell } from './rate-limit-counters.js';
import { RateLimitError } from './rate-limit-error.js';
import { countOf, deltasOf, headerRecord, headersOf, negated, plansOf, secondsLeft, windowStart, writeHeaders, type HeaderSink, type ModelPlan, type WindowPlan } from './rate-limit-plan.js';

type Tokens = number | (() => number | Promise<number>);
type Call = { tenantId: string; model: string; tokens: Tokens };
type Answer = Admission | null | Promise<Admission | null>;

type Counted = { plan: ModelPlan; opts: Call; deltas: CounterDelta[]; nowSec: number };

/** The first window whose count went over its limit, or -1: a plain loop (no closure per call on the path that admits). */
function firstOver(plan: ModelPlan, values: readonly number[]): number {
  for (let i = 0; i < plan.windows.length; i++) if (values[plan.windows[i]!.index]! > plan.windows[i]!.limit) return i;
  return -1;
}

/** An addition whose answer nobody waits for (a failed one is dropped, as the window soon ends). */
function addQuietly(counters: RateLimitCounters, delta: CounterDelta): void {
  const added = counters.add([delta]);
  if (added instanceof Promise) added.catch(() => undefined);
}

/**
 * A call let through: its headers, written when asked (writeHeaders, or the `headers` record), and its token
 * reservation, given back by the first release() (later ones do nothing, so whichever end of the request comes
 * first gives it back, once). One class of fixed fields: every admission has the same shape, and release is a
 * method, not a closure made per call.
 */
export class Reservation implements Admission {
  readonly #plan: ModelPlan;
  /** The call's new counts in its requests and tokens windows (0: not limited), and the second it was counted in. */
  readonly #requests: number;
  readonly #tokensCount: number;
  readonly #nowSec: number;
  readonly #counters: RateLimitCounters;
  /** The tokens still to give back; 0 once given back (or when nothing was reserved). */
  #tokens: number;

  /** `values`: the counts the call made, in the order of plan.windows; `tokens`: what it reserved. */
  constructor(plan: ModelPlan, values: readonly number[], nowSec: number, counters: RateLimitCounters, tokens: number) {
    this.#plan = plan;
    this.#requests = countOf(plan.requests, values);
    this.#tokensCount = countOf(plan.tokens, values);
    this.#nowSec = nowSec;
    this.#counters = counters;
    this.#tokens = plan.tokens && tokens > 0 ? tokens : 0;
  }

  writeHeaders(to: HeaderSink): void {
    writeHeaders(this.#plan, this.#requests, this.#tokensCount, this.#nowSec, to);
  }

  get headers(): Record<string, string> {
    return headerRecord(this.#plan, this.#requests, this.#tokensCount, this.#nowSec);
  }

  release(): void {
    const tokens = this.#tokens;
    const w = this.#plan.tokens;
    if (!w || tokens === 0) return;
    this.#tokens = 0;
    const start = windowStart(w, this.#nowSec);
    if (w.cell) w.cell.add(start, -tokens);
    else addQuietly(this.#counters, { key: w.key, windowStart: start, value: -tokens });
  }
}

/** `then` for a value that may be a promise: a plain value goes on at once, with no promise and no microtask. */
const next = <T, U>(v: T | Promise<T>, fn: (v: T) => U | Promise<U>): U | Promise<U> => (v instanceof Promise ? v.then(fn) : fn(v));

export interface RateLimiterOptions {
  db: Db;
  counters: RateLimitCounters;
  clock: Clock;
  /** Checks the project's spend budget before its limits. */
  budgets?: { check(projectId: string): Promise<void>; has(projectId: string): boolean; setBudgets(budgets: Readonly<Record<string, Budget>>): void };
  /** How long a project's limits are cached (default 1000 ms): a change made anywhere holds here within it. */
  ttlMs?: number;
}

/**
 * Per project and model: requests per minute and per day, tokens (prompt + completion) per minute. A call
 * reserves its estimated tokens before it goes upstream; the usage recorded after it counts its real tokens and
 * release() gives the reservation back. A project without limits costs a cached Map lookup and no database call.
 */
export class RateLimiter implements RateLimits {
  readonly #o: Required<Omit<RateLimiterOptions, 'budgets'>> & Pick<RateLimiterOptions, 'budgets'>;
  /** Per project, each limited model's plan (a model whose limits are all 0 has none), and until when it holds. */
  readonly #cache = new Map<string, { plans: Map<string, ModelPlan>; until: number }>();
  /** Reads of a project's limits under way: at each expiry, the requests in flight wait for one read, not one each. */
  readonly #loading = new Map<string, Promise<Map<string, ModelPlan>>>();

  /** The counters' cells when the counts are in this process (plans then hold them), else undefined. */
  readonly #cellOf: ((key: string) => WindowCell) | undefined;

  constructor(opts: RateLimiterOptions) {
    this.#o = { ttlMs: 1000, ...opts };
    this.#cellOf = opts.counters.cell?.bind(opts.counters);
  }

  /**
   * Lets the call through (its headers, or null when the model has no limit) or throws a RateLimitError. Answers
   * synchronously when nothing needs waiting for (no budget, the project's limits cached, the counts in this process,
   * the tokens a number): the gateway's hook then goes on without a promise.
   */
  admit(opts: Call): Answer {
    if (!opts.tenantId) return null;
    const budgets = this.#o.budgets;
    if (budgets?.has(opts.tenantId)) return budgets.check(opts.tenantId).then(() => this.#admitCached(opts));
    return this.#admitCached(opts);
  }

  /**
   * The call's answer when it is known without waiting, with one lookup: null when the project's cached limits
   * (still fresh) have none for the model, its admission when the counts are in this process (or a thrown
   * RateLimitError); undefined when admit() must wait (limits to load, a budget, counters in the database).
   * `size(body)` is the call's tokens, asked only when the model has a tokens limit: no object per call.
   */
  admitNow<B>(tenantId: string, model: string, size: (body: B) => number, body: B): Admission | null | undefined {
    if (!tenantId) return null;
    if (this.#o.budgets?.has(tenantId)) return undefined;
    const hit = this.#cache.get(tenantId);
    const now = this.#o.clock.now();
    if (hit === undefined || hit.until <= now) return undefined;
    const plan = hit.plans.get(model);
    if (plan === undefined) return null;
    if (!plan.here) return undefined;
    return this.#countHere(plan, tenantId, model, plan.tokens ? Math.max(0, Math.ceil(size(body))) : 0, Math.floor(now / 1000));
  }

  /** Counts a call's real tokens (prompt + completion) against the minute it was recorded in. */
  settle(opts: { tenantId: string; model: string; tokens: number }): void {
    const tpm = this.#cache.get(opts.tenantId)?.plans.get(opts.model)?.tokens;
    if (!tpm || !(opts.tokens > 0)) return;
    const start = windowStart(tpm, Math.floor(this.#o.clock.now() / 1000));
    if (tpm.cell) tpm.cell.add(start, Math.ceil(opts.tokens));
    else addQuietly(this.#o.counters, { key: tpm.key, windowStart: start, value: Math.ceil(opts.tokens) });
  }

  async governs(projectId: string): Promise<boolean> {
    if (!projectId) return false;
    return this.#o.budgets?.has(projectId) === true || (await this.#plansOf(projectId)).size > 0;
  }

  /** Projects' spend budgets from a reloaded YAML (SIGHUP). */
  setBudgets(budgets: Readonly<Record<string, Budget>>): void {
    this.#o.budgets?.setBudgets(budgets);
  }

  /** Forgets a project's cached limits (they were just changed on this instance). */
  forget(projectId: string): void {
    this.#cache.delete(projectId);
    this.#loading.delete(projectId);
  }

  #admitCached(opts: Call): Answer {
    const plans = this.#fresh(opts.tenantId);
    return plans ? this.#admitPlanned(plans.get(opts.model), opts) : this.#plansOf(opts.tenantId).then((p) => this.#admitPlanned(p.get(opts.model), opts));
  }

  #admitPlanned(plan: ModelPlan | undefined, opts: Call): Answer {
    if (!plan) return null;
    // The request is only measured when its model has a token limit.
    const tokens = !plan.tokens ? 0 : typeof opts.tokens === 'number' ? opts.tokens : opts.tokens();
    if (tokens instanceof Promise) return tokens.then((n) => this.#count(plan, opts, Math.max(0, Math.ceil(n))));
    return this.#count(plan, opts, Math.max(0, Math.ceil(tokens)));
  }

  /** Adds the call to its windows; in-process counts answer at once (no closure, no promise on that path). */
  #count(plan: ModelPlan, opts: Call, tokens: number): Answer {
    const nowSec = Math.floor(this.#o.clock.now() / 1000);
    if (plan.here) return this.#countHere(plan, opts.tenantId, opts.model, tokens, nowSec);
    const deltas = deltasOf(plan, nowSec, tokens);
    const values = this.#o.counters.add(deltas);
    const counted: Counted = { plan, opts, deltas, nowSec };
    return values instanceof Promise ? values.then((v) => this.#counted(counted, v)) : this.#counted(counted, values);
  }

  /**
   * In-process counts (SQLite): each window's cell is added to directly, the counts read from the plan's scratch
   * array: no delta objects, no lookups, no promise. A refused call is taken back before the refusal is thrown.
   */
  #countHere(plan: ModelPlan, tenantId: string, model: string, tokens: number, nowSec: number): Admission {
    const { windows, values } = plan;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      values[i] = w.cell!.add(windowStart(w, nowSec), w.name === 'tpm' ? tokens : 1);
    }
    const over = firstOver(plan, values);
    if (over < 0) return new Reservation(plan, values, nowSec, this.#o.counters, tokens);
    const headers = headersOf(plan, values, nowSec);
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      w.cell!.add(windowStart(w, nowSec), w.name === 'tpm' ? -tokens : -1);
    }
    throw this.#refusal({ tenantId, model, window: windows[over]!, nowSec, headers });
  }

  #counted(c: Counted, values: number[]): Answer {
    const { plan, deltas, nowSec } = c;
    const over = firstOver(plan, values);
    const t = plan.tokens;
    if (over < 0) return new Reservation(plan, values, nowSec, this.#o.counters, t ? deltas[t.index]!.value : 0);
    const headers = headersOf(plan, values, nowSec);
    const refusal = this.#refusal({ tenantId: c.opts.tenantId, model: c.opts.model, window: plan.windows[over]!, nowSec, headers });
    return next(this.#o.counters.add(negated(deltas)), () => {
      throw refusal;
    });
  }

  #refusal(opts: { tenantId: string; model: string; window: WindowPlan; nowSec: number; headers: Record<string, string> }): RateLimitError {
    const { window: w } = opts;
    const reset = secondsLeft(w, opts.nowSec);
    const kind = w.name === 'tpm' ? 'tokens' : 'requests';
    metrics.rateLimited({ tenant: opts.tenantId, limit: w.name === 'rpd' ? 'requests_per_day' : kind === 'tokens' ? 'tokens_per_minute' : 'requests_per_minute' });
    const per = w.name === 'rpd' ? 'day' : 'min';
    const unit = kind === 'tokens' ? 'tokens' : 'requests';
    return new RateLimitError({
      kind,
      message: `Rate limit reached for ${opts.model} in project ${opts.tenantId} on ${unit} per ${per}: Limit ${w.limit}. Please try again in ${reset}s.`,
      headers: { ...opts.headers, 'retry-after': String(reset) },
    });
  }

  /** The project's cached plans while they are fresh. */
  #fresh(projectId: string): Map<string, ModelPlan> | undefined {
    const hit = this.#cache.get(projectId);
    return hit && hit.until > this.#o.clock.now() ? hit.plans : undefined;
  }

  /** The project's plans, from the cache or one read; the calls that find them stale meanwhile share that read. */
  #plansOf(projectId: string): Promise<Map<string, ModelPlan>> {
    const plans = this.#fresh(projectId);
    if (plans) return Promise.resolve(plans);
    let loading = this.#loading.get(projectId);
    if (!loading) {
      loading = this.#load(projectId).finally(() => {
        if (this.#loading.get(projectId) === loading) this.#loading.delete(projectId);
      });
      this.#loading.set(projectId, loading);
    }
    return loading;
  }

  async #load(projectId: string): Promise<Map<string, ModelPlan>> {
    const now = this.#o.clock.now();
    const rows = await listRateLimitRows(this.#o.db, projectId);
    const plans = plansOf(projectId, rows, this.#cache.get(projectId)?.plans, this.#cellOf);
    this.#cache.set(projectId, { plans, until: now + this.#o.ttlMs });
    return plans;
  }
}
