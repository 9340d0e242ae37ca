/**
 * Gateway benchmark: the same chat request sent, in one run, to four targets
 *
 *   direct       → the fake upstream itself (the cost of the load generator + upstream)
 *   floor        → a minimal node:http keep-alive proxy in front of it (bench/floor-proxy.ts)
 *   switchboard  → Switchboard (src/main.ts) in front of it, metrics off, no rate limit
 *   limits       → a second Switchboard with a per-project rate limit on the model (requests per
 *                  minute and day, tokens per minute; high enough never to refuse) and /metrics on,
 *                  scraped once a second during the whole run (issue 14: the cost of both)
 *
 * and for each: precise sequential latency (µs), latency at a fixed request rate, maximum
 * throughput (non-streamed and streamed) and streaming time to first byte. Each target runs in its own child process, so the
 * load generator (this process), the upstream and the proxy under test don't share an event loop.
 * Scenarios are interleaved target by target and repeated for several rounds (median reported) to
 * limit drift. Prints a markdown table and rewrites the generated part of BENCHMARKS.md.
 *
 *   npm run bench                       # full run
 *   BENCH_SECONDS=2 BENCH_ROUNDS=1 npm run bench   # quick run
 *
 * Env knobs (defaults): BENCH_SECONDS (10) per autocannon run, BENCH_ROUNDS (3), BENCH_RATE (500
 * req/s), BENCH_RATE_CONNECTIONS (10), BENCH_MAX_CONNECTIONS (50), BENCH_SEQ_REQUESTS (2000),
 * BENCH_STREAM_REQUESTS (1000), BENCH_WRITE (0 = don't touch BENCHMARKS.md; force = write it even when
 * other processes kept the machine busy), BENCH_FOREIGN_CPU_MAX (0.15),
 * BENCH_SWITCHBOARD_LOG_LEVEL (warn), BENCH_SWITCHBOARD_NODE_ARGS (extra node flags for both
 * Switchboard children; `{name}` becomes the child's name, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof-{name}"),
 * BENCH_GENERATIONS (6), BENCH_SLICES (6) and BENCH_SLICE_MS (2000): the limits + metrics cost is measured on
 * that many pairs of Switchboards (the first is the rounds' own pair, each later one started afresh: two starts of
 * the same code differ by up to ~10 % in CPU per request, so the pairs, not the slices, average that out), each loaded in short max-load slices, alternating "switchboard",
 * "limits", "switchboard"… with both up, that many per side, non-streamed and streamed, each slice judged against
 * its two neighbours (bench/support/sliced.ts, limits-cost.ts); BENCH_ONLY=limits runs only those (the upstream
 * and the Switchboards; about 4 minutes; BENCH_GENERATIONS=1 BENCH_LIMITS_KINDS=sse for profiling the
 * streamed cost); BENCH_LIMITS_SAME=1 starts "limits" exactly like "switchboard" (metrics off, no limit, no scrape):
 * the A-vs-A check that the method resolves the 5 % target; BENCH_SLICE_SWING_MAX (0.1): a comparison whose slices saw the
 * other processes' CPU share differ by more than this is left out; BENCH_PIN (1): while the limits cost is measured,
 * the two Switchboards share the last core, the load generator and the upstream the others (0: no pinning);
 * BENCH_LIMITS_PARTS (limit,metrics): "limit" or "metrics" alone turns on only that part in the "limits" target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { freePort } from './support/pg-cluster.js';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { writeIfQuiet, writeModeFromEnv } from './support/benchmarks-md.js';
import { procTicks } from '../test/support/proc.js';
import { CLK_TCK, cpuMark, foreignShare, waitQuiet } from './support/cpu.js';
import { envInt } from './support/env.js';
import { median, percentile } from './support/stats.js';
import { costFootnote, costLines, costRows, measureCost, NEVER_REACHED, type Cost, type CostSettings, type ProcessPair } from './support/limits-cost.js';
import { codeState } from './support/code-state.js';
import { pinPair } from './support/pin.js';
import { configuredKeyId, hashKey } from '../src/config/keys.js';

// ---------------------------------------------------------------------------
// Settings

const SETTINGS = {
  seconds: envInt('BENCH_SECONDS', 10),
  rounds: envInt('BENCH_ROUNDS', 3),
  rate: envInt('BENCH_RATE', 500),
  rateConnections: envInt('BENCH_RATE_CONNECTIONS', 10),
  maxConnections: envInt('BENCH_MAX_CONNECTIONS', 50),
  seqRequests: envInt('BENCH_SEQ_REQUESTS', 2000),
  streamRequests: envInt('BENCH_STREAM_REQUESTS', 1000),
  /** BENCH_WRITE: 0 = never touch BENCHMARKS.md, force = write even after a disturbed run. */
  write: writeModeFromEnv(),
  sbLogLevel: process.env.BENCH_SWITCHBOARD_LOG_LEVEL || 'warn',
  sbNodeArgs: (process.env.BENCH_SWITCHBOARD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  generations: envInt('BENCH_GENERATIONS', 6),
  slices: envInt('BENCH_SLICES', 6),
  sliceMs: envInt('BENCH_SLICE_MS', 2000),
  /** BENCH_LIMITS_KINDS: which requests the limits cost measures (json, sse or both), e.g. sse alone for a profile. */
  limitsKinds: (process.env.BENCH_LIMITS_KINDS ?? 'json,sse').split(',').filter((k): k is 'json' | 'sse' => k === 'json' || k === 'sse'),
  /** BENCH_LIMITS_PARTS: what the "limits" target turns on, to tell their costs apart: limit, metrics (both by default). */
  limitsParts: { limit: (process.env.BENCH_LIMITS_PARTS ?? 'limit,metrics').includes('limit'), metrics: (process.env.BENCH_LIMITS_PARTS ?? 'limit,metrics').includes('metrics') },
  /** BENCH_PIN=0: leave the limits cost's processes where the scheduler puts them (support/pin.ts). */
  pin: process.env.BENCH_PIN !== '0',
  /** BENCH_LIMITS_SAME=1: the "limits" target is a second plain Switchboard (A-vs-A check of the method). */
  limitsSame: process.env.BENCH_LIMITS_SAME === '1',
  /** BENCH_ONLY=limits: only the sliced comparison of the two Switchboards. */
  onlyLimits: process.env.BENCH_ONLY === 'limits',
};

/** Targets to beat, from issue 15 item 6 (both paths) and issue 14 (limits + metrics against none). */
const TARGET_ADDED_P50_RATIO = 1.2;
const TARGET_RPS_RATIO = 0.8;
const TARGET_LIMITS_COST = 0.05;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const API_KEY = 'sk-bench';
const ADMIN_KEY = 'sk-admin-bench-0123456789';
/** The project of the env key `sk-bench` (its configured key id, src/config/keys.ts). */
const PROJECT_ID = configuredKeyId(hashKey(API_KEY));
const CHAT_PATH = '/v1/chat/completions';
const MESSAGES = [{ role: 'user', content: 'What is the capital of France?' }];
const BODY = JSON.stringify({ model: 'fake-model', messages: MESSAGES });
const STREAM_BODY = JSON.stringify({ model: 'fake-model', messages: MESSAGES, stream: true });
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };

/** Scratch directory (Switchboard's SQLite file); removed at the end. */
const TMP = mkdtempSync(join(os.tmpdir(), 'sb-bench-'));

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------------------
// autocannon is CommonJS without bundled types: load it through require and type what we use.

interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  overallRate?: number;
}
interface AutocannonResult {
  /** Milliseconds, integer resolution. */
  latency: { p50: number; p99: number; average: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: AutocannonOptions,
) => PromiseLike<AutocannonResult>;

// ---------------------------------------------------------------------------
// Child processes

const children: Array<{ name: string; proc: ChildProcess }> = [];

/**
 * Child output goes to our stderr, prefixed, but only the first few lines per child: e.g. a
 * gateway that logs every request cut off at the end of an autocannon run would drown the progress.
 */
const CHILD_LINES_SHOWN = 5;
const childLineCounts = new Map<string, number>();
function childLine(name: string, line: string): void {
  const n = (childLineCounts.get(name) ?? 0) + 1;
  childLineCounts.set(name, n);
  if (n <= CHILD_LINES_SHOWN) process.stderr.write(`[${name}] ${line.length > 400 ? line.slice(0, 400) + '…' : line}\n`);
  else if (n === CHILD_LINES_SHOWN + 1) process.stderr.write(`[${name}] (further output counted, not shown)\n`);
}

/** Starts `node --import tsx <script>` and forwards its output to our stderr, prefixed. */
function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): { proc: ChildProcess; stdoutLines: AsyncIterableIterator<string> } {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push({ name, proc });
  createInterface({ input: proc.stderr! }).on('line', (l) => childLine(name, l));
  proc.on('exit', (code, signal) => {
    if (shuttingDown || stopped.has(proc)) return;
    childDied ??= new Error(`${name} (pid ${proc.pid}) exited unexpectedly (code ${code}, signal ${signal})`);
    log(childDied.message);
  });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return { proc, stdoutLines: lines };
}

async function drain(name: string, lines: AsyncIterableIterator<string>): Promise<void> {
  for await (const line of lines) childLine(name, line);
}

/** Reads the child's stdout until its `PORT=<n>` line; later stdout lines go to our stderr. */
async function readPort(name: string, lines: AsyncIterableIterator<string>): Promise<number> {
  const deadline = sleep(20_000).then(() => {
    throw new Error(`${name}: no PORT line within 20 s`);
  });
  const port = await Promise.race([
    (async () => {
      for await (const line of lines) {
        const m = /^PORT=(\d+)$/.exec(line.trim());
        if (m) return Number(m[1]);
        childLine(name, line);
      }
      throw new Error(`${name}: exited before printing its port`);
    })(),
    deadline,
  ]);
  void drain(name, lines);
  return port;
}

async function waitForHealth(origin: string, proc: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`switchboard exited with code ${proc.exitCode} during start`);
    try {
      const res = await fetch(`${origin}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`switchboard: GET /health did not answer 200 within ${timeoutMs} ms`);
}

let shuttingDown = false;
/** Children stopped on purpose before the end (a generation of the limits cost done). */
const stopped = new Set<ChildProcess>();

/** SIGTERM one child and wait for it to exit (SIGKILL after 5 s). */
async function stopChild(proc: ChildProcess): Promise<void> {
  stopped.add(proc);
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
/** Set when a child process exits before the end: the run is void, the next measurement throws it. */
let childDied: Error | undefined;

/** SIGTERM every child, SIGKILL those still alive after 5 s (e.g. busy writing a CPU profile). */
async function stopChildren(): Promise<void> {
  shuttingDown = true;
  await Promise.all(
    children.map(async ({ proc }) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
  for (const [name, n] of childLineCounts) if (n > CHILD_LINES_SHOWN) log(`${name} wrote ${n} output lines in total`);
}

// Last resort when we leave without stopChildren (uncaught error, process.exit elsewhere).
process.on('exit', () => {
  for (const { proc } of children) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping child processes`);
    void stopChildren().finally(() => {
      rmSync(TMP, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

// ---------------------------------------------------------------------------
// Statistics

const nsToUs = (ns: bigint): number => Number(ns) / 1000;

// ---------------------------------------------------------------------------
// Foreign CPU load (Linux): other engineers' builds and tests on the same small machine distort the
// numbers, so each measurement waits for a quiet machine and is repeated when someone else used
// more than BENCH_FOREIGN_CPU_MAX of all cores while it ran.

const FOREIGN_CPU_MAX = Number(process.env.BENCH_FOREIGN_CPU_MAX || 0.15);
const MAX_ATTEMPTS = 3;

/** This process and its children: their CPU is the bench's own. */
const ourCpu = () => cpuMark([process.pid, ...children.map((c) => c.proc.pid ?? 0).filter(Boolean)]);

/** Foreign CPU share seen during accepted measurements, for the report. */
const foreignSeen: number[] = [];

/** Runs `fn` on a quiet machine; repeats it (up to MAX_ATTEMPTS) when foreign load showed up meanwhile. */
async function quietly<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await waitQuiet({ mark: ourCpu, maxShare: FOREIGN_CPU_MAX, maxWaitS: 60, sampleMs: 500, log });
    if (childDied) throw childDied;
    const a = ourCpu();
    const result = await fn();
    const share = foreignShare(a, ourCpu()) ?? 0;
    if (childDied) throw childDied;
    if (share <= FOREIGN_CPU_MAX || attempt >= MAX_ATTEMPTS) {
      foreignSeen.push(share);
      return result;
    }
    log(`${what}: other processes used ${fmt(share * 100)}% CPU meanwhile, repeating`);
  }
}

// ---------------------------------------------------------------------------
// Measurements

interface Target {
  key: 'direct' | 'floor' | 'switchboard' | 'limits';
  label: string;
  origin: string;
  /** One connection, for the sequential measurements. */
  pool: Pool;
  /** The process answering (the upstream for `direct`), for its CPU time per request. */
  pid: number;
}

interface SeqResult {
  p50: number;
  p99: number;
  errors: number;
}
interface StreamResult {
  ttfbP50: number;
  ttfbP99: number;
  totalP50: number;
  errors: number;
}
interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
  /** CPU time (user + system) the target's server process spent per request, µs (NaN off Linux). */
  cpuUs: number;
  errors: number;
}
interface RoundResult {
  seq: SeqResult;
  stream: StreamResult;
  fixed: LoadResult;
  max: LoadResult;
  /** Max throughput with `"stream": true`. */
  streamMax: LoadResult;
}

/** Sequential requests are interleaved across targets in blocks this size (see `interleaved`). */
const BLOCK = 100;

/**
 * Runs `n` sequential requests per target, alternating targets every BLOCK requests (rotating the
 * order each block), so a burst of foreign CPU load hits every target alike instead of skewing one.
 */
async function interleaved<S>(
  targets: Target[],
  n: number,
  one: (t: Target, into: S) => Promise<void>,
  init: () => S,
): Promise<Map<Target['key'], S>> {
  const acc = new Map(targets.map((t) => [t.key, init()] as const));
  for (let done = 0, b = 0; done < n; done += BLOCK, b++) {
    const size = Math.min(BLOCK, n - done);
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + b) % targets.length]!;
      for (let i = 0; i < size; i++) await one(t, acc.get(t.key)!);
    }
  }
  return acc;
}

interface SeqSamples {
  us: number[];
  errors: number;
}
interface StreamSamples {
  ttfb: number[];
  total: number[];
  errors: number;
}

/** One non-streaming request over the target's single keep-alive connection, full body read. µs. */
async function oneSequential(t: Target, into: SeqSamples): Promise<void> {
  const start = process.hrtime.bigint();
  const res = await t.pool.request({ path: CHAT_PATH, method: 'POST', headers: HEADERS, body: BODY });
  await res.body.arrayBuffer();
  into.us.push(nsToUs(process.hrtime.bigint() - start));
  if (res.statusCode !== 200) into.errors++;
}

/** One streaming request: time to the first body byte and to the end of the stream. µs. */
async function oneStreaming(t: Target, into: StreamSamples): Promise<void> {
  const start = process.hrtime.bigint();
  const res = await t.pool.request({ path: CHAT_PATH, method: 'POST', headers: HEADERS, body: STREAM_BODY });
  let first: bigint | undefined;
  for await (const _chunk of res.body) first ??= process.hrtime.bigint();
  const end = process.hrtime.bigint();
  if (res.statusCode !== 200 || first === undefined) {
    into.errors++;
    return;
  }
  into.ttfb.push(nsToUs(first - start));
  into.total.push(nsToUs(end - start));
}

function seqStats(s: SeqSamples): SeqResult {
  const us = [...s.us].sort((a, b) => a - b);
  return { p50: percentile(us, 50), p99: percentile(us, 99), errors: s.errors };
}
function streamStats(s: StreamSamples): StreamResult {
  const ttfb = [...s.ttfb].sort((a, b) => a - b);
  const total = [...s.total].sort((a, b) => a - b);
  return { ttfbP50: percentile(ttfb, 50), ttfbP99: percentile(ttfb, 99), totalP50: percentile(total, 50), errors: s.errors };
}

const sequentialAll = async (targets: Target[], n: number): Promise<Map<Target['key'], SeqResult>> =>
  new Map(
    [...(await interleaved(targets, n, oneSequential, () => ({ us: [], errors: 0 })))].map(([k, v]) => [k, seqStats(v)]),
  );
const streamingAll = async (targets: Target[], n: number): Promise<Map<Target['key'], StreamResult>> =>
  new Map(
    [...(await interleaved(targets, n, oneStreaming, () => ({ ttfb: [], total: [], errors: 0 })))].map(([k, v]) => [
      k,
      streamStats(v),
    ]),
  );

/** Requests each target served in load runs (warm-up included): divides a CPU profile's times per request. */
const served = new Map<Target['key'], number>();

async function load(t: Target, opts: { connections: number; seconds: number; rate?: number; stream?: boolean }): Promise<LoadResult> {
  const cpu0 = procTicks(t.pid);
  const r = await autocannon({
    url: t.origin + CHAT_PATH,
    method: 'POST',
    headers: HEADERS,
    body: opts.stream ? STREAM_BODY : BODY,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
  });
  const cpuUs = CLK_TCK > 0 && r.requests.total > 0 ? ((procTicks(t.pid) - cpu0) * 1e6) / CLK_TCK / r.requests.total : NaN;
  served.set(t.key, (served.get(t.key) ?? 0) + r.requests.total);
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, cpuUs, errors: r.errors + r.timeouts + r.non2xx };
}

/** One request of each kind, checked for shape, so a misconfigured target fails loudly. */
async function sanityCheck(t: Target): Promise<void> {
  const res = await t.pool.request({ path: CHAT_PATH, method: 'POST', headers: HEADERS, body: BODY });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !(JSON.parse(text) as { choices?: unknown[] }).choices?.length)
    throw new Error(`${t.label}: unexpected chat completion response ${res.statusCode}: ${text.slice(0, 300)}`);
  const s = await t.pool.request({ path: CHAT_PATH, method: 'POST', headers: HEADERS, body: STREAM_BODY });
  const stext = await s.body.text();
  if (s.statusCode !== 200 || !stext.includes('data: [DONE]'))
    throw new Error(`${t.label}: unexpected streaming response ${s.statusCode}: ${stext.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------
// Report

interface Summary {
  target: Target;
  seq: SeqResult;
  stream: StreamResult;
  fixed: LoadResult;
  max: LoadResult;
  streamMax: LoadResult;
  errors: number;
}

/** Median over rounds of every numeric field. */
function summarize(target: Target, rounds: RoundResult[]): Summary {
  const med = <K extends keyof RoundResult>(k: K): RoundResult[K] => {
    const first = rounds[0]![k];
    const out: Record<string, number> = {};
    for (const f of Object.keys(first)) out[f] = median(rounds.map((r) => (r[k] as unknown as Record<string, number>)[f]!));
    return out as unknown as RoundResult[K];
  };
  const errors = rounds.reduce((s, r) => s + r.seq.errors + r.stream.errors + r.fixed.errors + r.max.errors + r.streamMax.errors, 0);
  return { target, seq: med('seq'), stream: med('stream'), fixed: med('fixed'), max: med('max'), streamMax: med('streamMax'), errors };
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

type Added = Record<string, { p50: number; p99: number; streamP50: number }>;

function renderTable(s: Summary[], added: Added): string {
  const row = (label: string, cell: (x: Summary) => string): string =>
    `| ${label} | ${s.map(cell).join(' | ')} |`;
  const addedCell = (x: Summary, k: 'p50' | 'p99' | 'streamP50'): string =>
    x.target.key === 'direct' ? '—' : fmt(added[x.target.key]![k]);
  return [
    `| metric | ${s.map((x) => x.target.label).join(' | ')} |`,
    `|---|${s.map(() => '---:').join('|')}|`,
    row('sequential latency p50 (µs)', (x) => fmt(x.seq.p50)),
    row('sequential latency p99 (µs)', (x) => fmt(x.seq.p99)),
    row('**added latency p50 vs direct (µs)**', (x) => `**${addedCell(x, 'p50')}**`),
    row('added latency p99 vs direct (µs)', (x) => addedCell(x, 'p99')),
    row(`latency p50 @ ${SETTINGS.rate} req/s (ms)`, (x) => fmt(x.fixed.p50)),
    row(`latency p99 @ ${SETTINGS.rate} req/s (ms)`, (x) => fmt(x.fixed.p99)),
    row('achieved rate (req/s)', (x) => fmt(x.fixed.rps)),
    row(`**max throughput, ${SETTINGS.maxConnections} conns (req/s)**`, (x) => `**${fmt(x.max.rps)}**`),
    row('latency p50 at max throughput (ms)', (x) => fmt(x.max.p50)),
    row('server CPU per request at max throughput (µs)¹', (x) => fmt(x.max.cpuUs)),
    row('streaming TTFB p50 (µs)', (x) => fmt(x.stream.ttfbP50)),
    row('streaming TTFB p99 (µs)', (x) => fmt(x.stream.ttfbP99)),
    row('streaming total p50 (µs)', (x) => fmt(x.stream.totalP50)),
    row('**added streaming total p50 vs direct (µs)**', (x) => `**${addedCell(x, 'streamP50')}**`),
    row(`**max throughput streamed, ${SETTINGS.maxConnections} conns (req/s)**`, (x) => `**${fmt(x.streamMax.rps)}**`),
    row('server CPU per streamed request at max throughput (µs)¹', (x) => fmt(x.streamMax.cpuUs)),
    row('errors (all scenarios, all rounds)', (x) => fmt(x.errors)),
  ].join('\n');
}



// ---------------------------------------------------------------------------
// The two Switchboards

/** Starts Switchboard (src/main.ts) on its own SQLite file in front of the upstream; resolves once /health answers. */
async function startSwitchboard(
  name: 'switchboard' | 'limits',
  upstreamOrigin: string,
  env: Record<string, string>,
  generation = 0,
): Promise<{ origin: string; proc: ChildProcess }> {
  const port = await freePort();
  const child = startChild(
    name,
    'src/main.ts',
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      SWITCHBOARD_UPSTREAM_URL: `${upstreamOrigin}/v1`,
      SWITCHBOARD_API_KEYS: API_KEY,
      SWITCHBOARD_DATABASE_URL: join(TMP, `${name}-${generation}.db`),
      SWITCHBOARD_LOG_LEVEL: SETTINGS.sbLogLevel,
      ...env,
    },
    SETTINGS.sbNodeArgs.map((a) => a.replaceAll('{name}', name)),
  );
  void drain(name, child.stdoutLines);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHealth(origin, child.proc);
  return { origin, proc: child.proc };
}

/** Gives the bench key's project a limit on every window for the bench's model, through OpenAI's Admin API route. */
async function setNeverReachedLimit(origin: string): Promise<void> {
  const res = await fetch(`${origin}/v1/organization/projects/${PROJECT_ID}/rate_limits/rl-fake-model`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify(NEVER_REACHED),
  });
  if (res.status !== 200) throw new Error(`limits: setting the rate limit answered ${res.status}: ${await res.text()}`);
  const check = await fetch(origin + CHAT_PATH, { method: 'POST', headers: HEADERS, body: BODY });
  await check.arrayBuffer();
  if (!check.headers.get('x-ratelimit-limit-requests'))
    throw new Error('limits: a chat completion came back without x-ratelimit-* headers: the limit is not applied');
}

/** The "limits" Switchboard: a never-reached limit and /metrics scraped (or, BENCH_LIMITS_SAME=1, a plain one). */
async function startLimits(upstreamOrigin: string, generation: number): Promise<{ origin: string; proc: ChildProcess }> {
  if (SETTINGS.limitsSame) return startSwitchboard('limits', upstreamOrigin, { SWITCHBOARD_METRICS: 'off' }, generation);
  const { limit, metrics } = SETTINGS.limitsParts;
  const lim = await startSwitchboard('limits', upstreamOrigin, { SWITCHBOARD_METRICS: metrics ? 'on' : 'off', SWITCHBOARD_ADMIN_KEY: ADMIN_KEY }, generation);
  if (limit) await setNeverReachedLimit(lim.origin);
  if (!metrics) return lim;
  if (scraper) {
    scraper.stop();
    pastScrapes.ok += scraper.ok;
    pastScrapes.failed += scraper.failed;
  }
  scraper = scrapeMetrics(lim.origin);
  return lim;
}

interface Scraper {
  ok: number;
  failed: number;
  stop(): void;
}
let scraper: Scraper | undefined;
/** Scrapes of the limits targets of generations stopped meanwhile. */
const pastScrapes = { ok: 0, failed: 0 };

/** GET /metrics once a second (as Prometheus would, more often than its default 15 s) until stopped. */
function scrapeMetrics(origin: string): Scraper {
  const s: Scraper = { ok: 0, failed: 0, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } }).then(
      async (res) => {
        await res.arrayBuffer();
        if (res.status === 200) s.ok++;
        else s.failed++;
      },
      () => s.failed++,
    );
  }, 1000);
  return s;
}

// ---------------------------------------------------------------------------
// The cost of limits + metrics, in alternating slices (bench/support/limits-cost.ts)

const COST_SETTINGS: CostSettings = {
  generations: SETTINGS.generations,
  slices: SETTINGS.slices,
  sliceMs: SETTINGS.sliceMs,
  warmupSlices: 2,
  kinds: SETTINGS.limitsKinds,
  connections: SETTINGS.maxConnections,
  maxSwing: Number(process.env.BENCH_SLICE_SWING_MAX || 0.1),
};

const sliceTarget = (origin: string, proc: ChildProcess) => ({ port: Number(new URL(origin).port), pid: proc.pid ?? 0 });

/**
 * Generation 0 is the bench's own pair; each later one is a fresh pair, stopped when its slices are done. With
 * BENCH_PIN (on by default), the pair shares the last core and the load generator and upstream get the others
 * (bench/support/pin.ts) while its slices run.
 */
async function processPair(g: number, first: { sb: Target; lim: Target; upstream: number; upstreamOrigin: string }): Promise<ProcessPair> {
  const own = (t: Target) => ({ port: Number(new URL(t.origin).port), pid: t.pid });
  const pinned = (pair: { base: { pid: number }; other: { pid: number } }) => {
    if (!SETTINGS.pin) return { undo: () => {} };
    const pin = pinPair([pair.base.pid, pair.other.pid], [process.pid, first.upstream]);
    if (!pin.pinned) log('BENCH_PIN: taskset did not pin every process; measuring unpinned');
    return pin;
  };
  if (g === 0) {
    const pair = { base: own(first.sb), other: own(first.lim) };
    const pin = pinned(pair);
    return { ...pair, stop: async () => pin.undo() };
  }
  log(`limits cost: generation ${g + 1}: starting a fresh pair of Switchboards`);
  const [sb, lim] = await Promise.all([
    startSwitchboard('switchboard', first.upstreamOrigin, { SWITCHBOARD_METRICS: 'off' }, g),
    startLimits(first.upstreamOrigin, g),
  ]);
  const pair = { base: sliceTarget(sb.origin, sb.proc), other: sliceTarget(lim.origin, lim.proc) };
  const pin = pinned(pair);
  const stop = async () => {
    pin.undo();
    await Promise.all([stopChild(sb.proc), stopChild(lim.proc)]);
  };
  return { ...pair, stop };
}

async function limitsCost(first: { sb: Target; lim: Target; upstream: number; upstreamOrigin: string }): Promise<Cost> {
  const cost = await measureCost({
    pair: (g) => processPair(g, first),
    request: { path: CHAT_PATH, headers: HEADERS, body: BODY, streamBody: STREAM_BODY },
    settings: COST_SETTINGS,
    mark: ourCpu,
    beforeEach: async () => void (await waitQuiet({ mark: ourCpu, maxShare: FOREIGN_CPU_MAX, maxWaitS: 60, sampleMs: 500, log })),
    log,
    onServed: (side, n) => served.set(side === 'base' ? 'switchboard' : 'limits', (served.get(side === 'base' ? 'switchboard' : 'limits') ?? 0) + n),
  });
  for (const run of [cost.json, cost.sse]) {
    const all = run.slices.flat();
    if (all.length > 0) foreignSeen.push(median(all.map((x) => x.foreign ?? 0)));
  }
  return cost;
}

// ---------------------------------------------------------------------------
// Ratios

const verdict = (ok: boolean): string => (ok ? '✅ met' : '❌ missed');

/** Issue 15's targets on both paths, for Switchboard and for Switchboard with limits + metrics, then issue 14's cost. */
function ratioTable(o: { added: Added; floor: Summary; switchboard: Summary; limits: Summary; cost: Cost }): string {
  const { added, floor } = o;
  const rows = [`| ratio | value | target | result |`, `|---|---:|---:|---|`];
  const latency = (label: string, value: number) =>
    rows.push(`| ${label} | ${fmt(value, 2)}× | ≤ ${TARGET_ADDED_P50_RATIO}× | ${verdict(value <= TARGET_ADDED_P50_RATIO)} |`);
  const share = (label: string, value: number) =>
    rows.push(`| ${label} | ${fmt(value * 100)}% | ≥ ${TARGET_RPS_RATIO * 100}% | ${verdict(value >= TARGET_RPS_RATIO)} |`);
  for (const [key, name] of [['switchboard', 'Switchboard'], ['limits', 'Switchboard + limits + metrics']] as const) {
    const x = o[key];
    latency(`${name} added p50 / floor added p50`, added[key]!.p50 / added.floor!.p50);
    share(`${name} max req/s / floor max req/s`, x.max.rps / floor.max.rps);
    latency(`${name} added streaming p50 / floor's (streamed)`, added[key]!.streamP50 / added.floor!.streamP50);
    share(`${name} streamed max req/s / floor's`, x.streamMax.rps / floor.streamMax.rps);
    rows.push(`| floor CPU/request / ${name} CPU/request¹ | ${fmt((floor.max.cpuUs / x.max.cpuUs) * 100)}% | (≥ ${TARGET_RPS_RATIO * 100}%) | informative |`);
    rows.push(`| the same, streamed¹ | ${fmt((floor.streamMax.cpuUs / x.streamMax.cpuUs) * 100)}% | (≥ ${TARGET_RPS_RATIO * 100}%) | informative |`);
  }
  rows.push(...costRows(o.cost, TARGET_LIMITS_COST));
  const more = added.limits!.p50 / added.switchboard!.p50 - 1;
  rows.push(`| limits + metrics: added p50 more (rounds) | ${fmt(more * 100, 1)}% | (< ${TARGET_LIMITS_COST * 100}%) | informative |`);
  return rows.join('\n');
}

// ---------------------------------------------------------------------------
// Main

/** BENCH_ONLY=limits: the sliced comparison alone, printed (BENCHMARKS.md is left alone). */
async function limitsOnly(first: { sb: Target; lim: Target; upstream: number; upstreamOrigin: string }): Promise<void> {
  const cost = await limitsCost(first);
  const rows = [`| ratio | value | target | result |`, `|---|---:|---:|---|`, ...costRows(cost, TARGET_LIMITS_COST)];
  const requests = [...served].map(([k, n]) => `${k} ${n}`).join(', ');
  const foreign = `other processes' CPU share: median ${fmt(median(foreignSeen) * 100, 1)}%, max ${fmt(Math.max(0, ...foreignSeen) * 100, 1)}%`;
  process.stdout.write(`\n${rows.join('\n')}\n\n${costLines(cost)}\n- requests served in load runs (warm-up included): ${requests}\n- ${foreign}\n`);
}

async function main(): Promise<void> {
  const pools: Pool[] = [];
  try {
    log(`settings: ${JSON.stringify(SETTINGS)}`);
    // Taken now: other engineers may commit while the run goes on; this is the code being measured.
    const code = codeState();

    // 1. Child processes: upstream, floor proxy, Switchboard.
    const up = startChild('upstream', 'bench/fake-upstream-server.ts', {});
    const upstreamOrigin = `http://127.0.0.1:${await readPort('upstream', up.stdoutLines)}`;
    const floor = SETTINGS.onlyLimits ? undefined : startChild('floor', 'bench/floor-proxy.ts', { UPSTREAM_URL: upstreamOrigin });
    const floorOrigin = floor ? `http://127.0.0.1:${await readPort('floor', floor.stdoutLines)}` : 'none';
    const sb = await startSwitchboard('switchboard', upstreamOrigin, { SWITCHBOARD_METRICS: 'off' });
    const lim = await startLimits(upstreamOrigin, 0);
    if (SETTINGS.limitsSame) log('BENCH_LIMITS_SAME=1: "limits" is a second plain Switchboard (A-vs-A)');
    log(`upstream ${upstreamOrigin}, floor ${floorOrigin}, switchboard ${sb.origin}, limits ${lim.origin}`);

    const mk = (key: Target['key'], label: string, origin: string, proc: ChildProcess): Target => {
      const pool = new Pool(origin, { connections: 1, pipelining: 1 });
      pools.push(pool);
      return { key, label, origin, pool, pid: proc.pid ?? 0 };
    };
    const sbTarget = mk('switchboard', 'Switchboard', sb.origin, sb.proc);
    const limTarget = mk('limits', 'Switchboard + limits + metrics', lim.origin, lim.proc);
    const targets = floor
      ? [mk('direct', 'direct (upstream)', upstreamOrigin, up.proc), mk('floor', 'floor proxy', floorOrigin, floor.proc), sbTarget, limTarget]
      : [sbTarget, limTarget];
    for (const t of targets) await sanityCheck(t);

    // 2. Warm-up: JIT, connection pools, SQLite usage writes.
    const warmSeconds = Math.max(1, Math.min(3, Math.round(SETTINGS.seconds / 2)));
    for (const t of targets) {
      log(`${t.key}: warm-up (${warmSeconds} s load)…`);
      await load(t, { connections: SETTINGS.maxConnections, seconds: warmSeconds });
    }
    await sequentialAll(targets, 300);
    await streamingAll(targets, 100);
    if (SETTINGS.onlyLimits) return await limitsOnly({ sb: sbTarget, lim: limTarget, upstream: up.proc.pid ?? 0, upstreamOrigin });

    // 3. Rounds. Sequential measurements interleave the targets block by block; load runs go
    //    target by target, in an order that rotates every round so no target always runs first.
    const results = new Map<Target['key'], RoundResult[]>(targets.map((t) => [t.key, []]));
    for (let round = 0; round < SETTINGS.rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      log(`round ${round + 1}/${SETTINGS.rounds}: ${order.map((t) => t.key).join(' → ')}`);
      const partial = new Map<Target['key'], Partial<RoundResult>>(targets.map((t) => [t.key, {}]));

      const seq = await quietly('sequential', () => sequentialAll(order, SETTINGS.seqRequests));
      const stream = await quietly('streaming', () => streamingAll(order, SETTINGS.streamRequests));
      for (const t of order) {
        const q = seq.get(t.key)!;
        const st = stream.get(t.key)!;
        partial.get(t.key)!.seq = q;
        partial.get(t.key)!.stream = st;
        log(
          `${t.key}: sequential ×${SETTINGS.seqRequests} p50 ${fmt(q.p50)} µs, p99 ${fmt(q.p99)} µs; ` +
            `streaming ×${SETTINGS.streamRequests} TTFB p50 ${fmt(st.ttfbP50)} µs, p99 ${fmt(st.ttfbP99)} µs`,
        );
      }
      for (const t of order) {
        const fixed = await quietly(`${t.key} fixed rate`, () =>
          load(t, { connections: SETTINGS.rateConnections, seconds: SETTINGS.seconds, rate: SETTINGS.rate }),
        );
        partial.get(t.key)!.fixed = fixed;
        log(`${t.key}: ${SETTINGS.rate} req/s for ${SETTINGS.seconds} s… p50 ${fixed.p50} ms, p99 ${fixed.p99} ms`);
      }
      for (const t of order) {
        const max = await quietly(`${t.key} max throughput`, () =>
          load(t, { connections: SETTINGS.maxConnections, seconds: SETTINGS.seconds }),
        );
        partial.get(t.key)!.max = max;
        log(`${t.key}: max throughput… ${fmt(max.rps)} req/s, ${fmt(max.cpuUs)} µs CPU/request${max.errors ? ` (${max.errors} errors)` : ''}`);
      }
      for (const t of order) {
        const max = await quietly(`${t.key} streamed max throughput`, () =>
          load(t, { connections: SETTINGS.maxConnections, seconds: SETTINGS.seconds, stream: true }),
        );
        partial.get(t.key)!.streamMax = max;
        log(`${t.key}: streamed max throughput… ${fmt(max.rps)} req/s, ${fmt(max.cpuUs)} µs CPU/request${max.errors ? ` (${max.errors} errors)` : ''}`);
      }
      for (const t of targets) results.get(t.key)!.push(partial.get(t.key) as RoundResult);
    }

    // 4. The cost of limits + metrics, in alternating slices (its verdict), then the summary.
    const cost = await limitsCost({ sb: sbTarget, lim: limTarget, upstream: up.proc.pid ?? 0, upstreamOrigin });
    // Summary. "Added" latency is computed per round (target minus direct measured in the same
    //    round), then the median over rounds is taken.
    const summaries = targets.map((t) => summarize(t, results.get(t.key)!));
    const direct = results.get('direct')!;
    type Proxy = 'floor' | 'switchboard' | 'limits';
    const addedRounds = (key: Proxy, k: 'p50' | 'p99'): number[] => results.get(key)!.map((r, i) => r.seq[k] - direct[i]!.seq[k]);
    const addedStreamRounds = (key: Proxy): number[] => results.get(key)!.map((r, i) => r.stream.totalP50 - direct[i]!.stream.totalP50);
    const addedOf = (key: Proxy) => ({
      p50: median(addedRounds(key, 'p50')),
      p99: median(addedRounds(key, 'p99')),
      streamP50: median(addedStreamRounds(key)),
    });
    const added: Added = { floor: addedOf('floor'), switchboard: addedOf('switchboard'), limits: addedOf('limits') };
    const sum = (key: Proxy) => summaries.find((x) => x.target.key === key)!;
    const ratios = ratioTable({ added, floor: sum('floor'), switchboard: sum('switchboard'), limits: sum('limits'), cost });
    const table = renderTable(summaries, added);
    const perTarget = (f: (r: RoundResult) => number) =>
      targets.map((t) => `${t.key} ${results.get(t.key)!.map((r) => fmt(f(r))).join(', ')}`).join('; ');
    const proxies: Proxy[] = ['floor', 'switchboard', 'limits'];
    const perRound = [
      `- added p50 per round (µs): ${proxies.map((k) => `${k} ${addedRounds(k, 'p50').map((v) => fmt(v)).join(', ')}`).join('; ')}`,
      `- added streaming total p50 per round (µs): ${proxies.map((k) => `${k} ${addedStreamRounds(k).map((v) => fmt(v)).join(', ')}`).join('; ')}`,
      `- max req/s per round: ${perTarget((r) => r.max.rps)}`,
      `- streamed max req/s per round: ${perTarget((r) => r.streamMax.rps)}`,
      `- CPU µs per request per round: ${perTarget((r) => r.max.cpuUs)}`,
      `- CPU µs per streamed request per round: ${perTarget((r) => r.streamMax.cpuUs)}`,
      costLines(cost),
      `- /metrics scrapes of the limits targets: ${pastScrapes.ok + (scraper?.ok ?? 0)} answered 200, ${pastScrapes.failed + (scraper?.failed ?? 0)} failed`,
    ].join('\n');
    const foreignLine =
      `- Other processes' CPU use while measuring (a measurement is repeated when above ${fmt(FOREIGN_CPU_MAX * 100)}% ` +
      `of all cores): median ${fmt(median(foreignSeen) * 100, 1)}%, max ${fmt(Math.max(0, ...foreignSeen) * 100, 1)}%` +
      ` (${foreignSeen.map((v) => fmt(v * 100)).join(', ')}).`;
    const footnote =
      `¹ User + system CPU time of the answering process (the upstream for "direct") during the max-throughput ` +
      `runs, divided by the requests it served; it includes the kernel's TCP work done in that process. Unlike ` +
      `req/s it hardly depends on what else runs on the machine, and the floor/Switchboard ratio is the ` +
      `throughput ratio to expect when the proxy under test has a core to itself.`;
    const cpus = os.cpus();
    const section = [
      `## Gateway overhead (\`bench/gateway.bench.ts\`)`,
      ``,
      `Command: \`npm run bench\` (quick run: \`BENCH_SECONDS=2 BENCH_ROUNDS=1 npm run bench\`; the limits + metrics ` +
        `slices alone: \`BENCH_ONLY=limits npm run bench\`)`,
      ``,
      `- Date: ${new Date().toISOString()}`,
      `- Machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()} ${os.arch()}`,
      `- Node ${process.version}; code: ${code}`,
      `- Settings: ${SETTINGS.rounds} rounds (median reported), ${SETTINGS.seconds} s per autocannon run, ` +
        `fixed rate ${SETTINGS.rate} req/s over ${SETTINGS.rateConnections} connections, max throughput over ` +
        `${SETTINGS.maxConnections} connections, ${SETTINGS.seqRequests} sequential and ${SETTINGS.streamRequests} ` +
        `streaming requests per target over one keep-alive connection, alternating targets every ${BLOCK} ` +
        `requests; Switchboard log level \`${SETTINGS.sbLogLevel}\`, SQLite store. "Switchboard" runs with metrics ` +
        `off and no rate limit; "Switchboard + limits + metrics" is a second instance whose project has a rate limit ` +
        `on the model for requests per minute and day and tokens per minute (never reached) and /metrics on, ` +
        `scraped once a second throughout.`,
      foreignLine,
      `- Topology: load generator (autocannon + undici, this process), fake upstream, floor proxy and Switchboard ` +
        `each in their own Node process — up to 3 busy processes on ${cpus.length} cores, so under max load the ` +
        `proxy under test competes with the load generator and the upstream for CPU (absolute req/s are a lower ` +
        `bound; the ratios are what matters).`,
      ``,
      `Request: \`POST /v1/chat/completions\` \`${BODY}\` with \`authorization: Bearer ${API_KEY}\`; ` +
        `streaming adds \`"stream": true\`. Sequential latencies and TTFB are measured with \`process.hrtime\` ` +
        `(µs); fixed-rate and max-throughput numbers come from autocannon (1 ms resolution). "Added" = target ` +
        `minus direct, per round.`,
      ``,
      table,
      ``,
      ratios,
      ``,
      footnote,
      ``,
      costFootnote(COST_SETTINGS, SETTINGS.pin),
      ``,
      perRound,
    ].join('\n');

    process.stdout.write(`\n${table}\n\n${ratios}\n\n${perRound}\n${foreignLine}\n`);
    // A run disturbed by other processes must not replace good numbers (BENCH_WRITE=force does).
    const disturbed = median(foreignSeen) > FOREIGN_CPU_MAX;
    writeIfQuiet({ id: 'bench', generatedBy: '`npm run bench`', block: section, mode: SETTINGS.write, disturbed, log });
  } finally {
    scraper?.stop();
    await Promise.all(pools.map((p) => p.close()));
    await stopChildren();
    rmSync(TMP, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[bench] failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
    // main's finally already stopped the children; the exit hook SIGKILLs any straggler.
    process.exit(1);
  },
);
