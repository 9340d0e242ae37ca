/**
 * Assistants runs benchmark: runs per second end to end and wall time per run, through the official
 * openai SDK, with an instant fake upstream, on SQLite and on PostgreSQL — next to the floor they are
 * compared with: the store's own rate for the same writes (bench/runs-floor.ts).
 *
 *   node --import tsx bench/runs.bench.ts
 *   BENCH_RUNS=50 BENCH_DIALECTS=sqlite node --import tsx bench/runs.bench.ts   # quick run
 *
 * Modes, each N runs with C in flight (`client.beta.threads.…`):
 *   polling       createAndRunPoll(...)  — the SDK waits the server's `openai-poll-after-ms` (engine/poll-hint.ts:
 *                                          half the median of recent runs, 20–200 ms)
 *                                          between retrieves, as every SDK client does by default
 *   polling-fast  createAndRunPoll(..., { pollIntervalMs: BENCH_FAST_POLL_MS }) — the same with a
 *                                          short interval: what the engine itself can do
 *   streaming     createAndRunStream(...).finalRun(); also time to the first event (thread.created)
 * Each run is `{ assistant_id, thread: { messages: [{ role: 'user', content: 'hi' }] } }`; the fake
 * upstream streams its default answer. A run's server-side timestamps have one-second resolution,
 * so the time per run reported is the client's wall time (end to end, including the SDK).
 *
 * Topology (2-core machine): this process (SDK load generator and, later, the floor), the fake
 * upstream and Switchboard (`src/main.ts`, the production entry point) each in their own Node
 * process; PostgreSQL is a throwaway cluster (initdb/pg_ctl as in scripts/test.mjs, but with the
 * default durable settings, since SQLite runs with synchronous=FULL) unless SWITCHBOARD_BENCH_PG_URL
 * names an admin URL to create databases on. Switchboard is restarted for every mode over the same
 * database, so every mode starts from the same state and PostgreSQL's statistics can be attributed
 * per mode. Progress goes to stderr; the markdown table goes to stdout and into BENCHMARKS.md under
 * `## Assistants runs` (the rest of that file is left alone).
 *
 * Env knobs (defaults): BENCH_RUNS (200), BENCH_CONCURRENCY (8), BENCH_WARMUP (16 runs per mode),
 * BENCH_ROUNDS (3: everything is repeated, interleaved, and the round with the median runs/s reported),
 * BENCH_FAST_POLL_MS (20; 0 = skip polling-fast), BENCH_DIALECTS (sqlite,postgres),
 * SWITCHBOARD_BENCH_PG_URL, BENCH_PG_DURABLE (1; 0 = fsync=off etc. like the test cluster),
 * BENCH_WRITE (1; 0 = don't touch BENCHMARKS.md), BENCH_SWITCHBOARD_LOG_LEVEL (warn),
 * BENCH_SWITCHBOARD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/sb-prof"),
 * BENCH_FOREIGN_CPU_MAX (0.15: other processes' share of all CPU above which a measurement is
 * repeated, up to 3 times, keeping the least disturbed), BENCH_QUIET_WAIT_S (60: longest wait for a
 * quiet machine before each measurement; 10 while it stays busy), BENCH_TIMEOUT_S (3600, whole
 * benchmark). Diagnostics:
 * BENCH_MODES (polling,polling-fast,streaming), BENCH_FLOOR (1; 0 = skip the floor),
 * BENCH_PG_STATEMENTS (0; 1 = load pg_stat_statements in the throwaway cluster and print, per mode,
 * the statements Switchboard ran per run to stderr). Switchboard runs with bench/support/sqlite-counter.ts
 * preloaded: on SQLite the details give its statements and commits per run, exact on a busy machine
 * (SQLITE_COUNTER_DUMP=<file> writes each statement's calls and µs at exit).
 */
import { adminQuery, clusterPids, createDatabase, dropDatabase, freePort, startThrowawayCluster, stopThrowawayCluster, type ThrowawayCluster } from './support/pg-cluster.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import SQLite from 'better-sqlite3';
import { migrateToLatest, openDb } from '../src/store/open-db.js';
import { FLOOR_COMMITS_PER_RUN, FLOOR_ROWS_WRITTEN_PER_RUN, measureFloor, type FloorResult } from './runs-floor.js';
import { writeBenchmarkBlock } from './support/benchmarks-md.js';
import { codeState } from './support/code-state.js';
import { CLK_TCK, cpuMark, foreignShare, ticksOf, waitQuiet, type CpuMark } from './support/cpu.js';
import { envInt } from './support/env.js';
import { cleanUpOnSignalOrTimeout } from './support/lifecycle.js';
import { percentile } from './support/stats.js';
import type { Counts } from './support/sqlite-counter.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------
// Settings

type Dialect = 'sqlite' | 'postgres';
type Mode = 'polling' | 'polling-fast' | 'streaming';

function settings() {
  const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',').map((d) => d.trim()).filter(Boolean);
  for (const d of dialects) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`BENCH_DIALECTS: unknown dialect '${d}'`);
  const modes = (process.env.BENCH_MODES ?? 'polling,polling-fast,streaming').split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of modes)
    if (m !== 'polling' && m !== 'polling-fast' && m !== 'streaming') throw new Error(`BENCH_MODES: unknown mode '${m}'`);
  return {
    runs: envInt('BENCH_RUNS', 200),
    rounds: envInt('BENCH_ROUNDS', 3),
    concurrency: envInt('BENCH_CONCURRENCY', 8),
    warmup: envInt('BENCH_WARMUP', 16, 0),
    fastPollMs: envInt('BENCH_FAST_POLL_MS', 20, 0),
    dialects: dialects as Dialect[],
    pgUrl: process.env.SWITCHBOARD_BENCH_PG_URL || undefined,
    pgDurable: process.env.BENCH_PG_DURABLE !== '0',
    write: process.env.BENCH_WRITE !== '0',
    sbLogLevel: process.env.BENCH_SWITCHBOARD_LOG_LEVEL || 'warn',
    sbNodeArgs: (process.env.BENCH_SWITCHBOARD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    foreignCpuMax: Number(process.env.BENCH_FOREIGN_CPU_MAX || 0.15),
    modes: modes as Mode[],
    pgStatements: process.env.BENCH_PG_STATEMENTS === '1',
    floor: process.env.BENCH_FLOOR !== '0',
    timeoutS: envInt('BENCH_TIMEOUT_S', 3600),
    quietWaitS: envInt('BENCH_QUIET_WAIT_S', 60, 0),
  };
}
type Settings = ReturnType<typeof settings>;

const API_KEY = 'sk-bench-runs-0001';
const MODEL = 'fake-model';
const RUN_TIMEOUT_MS = 60_000;

const log = (msg: string): void => void process.stderr.write(`[bench:runs] ${msg}\n`);
const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';

// ---------------------------------------------------------------------------
// Child processes

const children = new Set<ChildProcess>();
let shuttingDown = false;

function startChild(name: string, args: string[], env: Record<string, string>): { proc: ChildProcess; lines: AsyncIterableIterator<string> } {
  const base = { ...process.env };
  // Only what we set reaches Switchboard: no stray config from the caller's shell.
  for (const k of Object.keys(base)) if (k.startsWith('SWITCHBOARD_') || k === 'PORT' || k === 'HOST') delete base[k];
  // An IPC channel: Switchboard's statement counter (bench/support/sqlite-counter.ts) answers over it.
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.add(proc);
  let shown = 0;
  createInterface({ input: proc.stderr! }).on('line', (l) => {
    if (++shown <= 10) process.stderr.write(`[${name}] ${l.length > 400 ? l.slice(0, 400) + '…' : l}\n`);
  });
  proc.on('exit', (code, signal) => {
    children.delete(proc);
    if (!shuttingDown && !(proc as { expectedExit?: boolean }).expectedExit)
      log(`${name} exited unexpectedly (code ${code}, signal ${signal})`);
  });
  return { proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

async function stopChild(proc: ChildProcess): Promise<void> {
  (proc as { expectedExit?: boolean }).expectedExit = true;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  // A child writing a CPU profile takes a moment; none takes 15 s.
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function readPort(name: string, lines: AsyncIterableIterator<string>): Promise<number> {
  const timeout = sleep(20_000).then(() => {
    throw new Error(`${name}: no PORT line within 20 s`);
  });
  const port = Promise.race([
    (async () => {
      for await (const line of lines) {
        const m = /^PORT=(\d+)$/.exec(line.trim());
        if (m) return Number(m[1]);
      }
      throw new Error(`${name}: exited before printing its port`);
    })(),
    timeout,
  ]);
  return port;
}

interface Switchboard {
  proc: ChildProcess;
  baseURL: string;
}

async function startSwitchboard(s: Settings, databaseUrl: string, upstreamUrl: string): Promise<Switchboard> {
  const port = await freePort();
  const args = [...s.sbNodeArgs, '--import', 'tsx', '--import', './bench/support/sqlite-counter.ts', 'src/main.ts'];
  const { proc, lines } = startChild('switchboard', args, {
    HOST: '127.0.0.1',
    PORT: String(port),
    SWITCHBOARD_DATABASE_URL: databaseUrl,
    SWITCHBOARD_UPSTREAM_URL: upstreamUrl,
    SWITCHBOARD_API_KEYS: API_KEY,
    SWITCHBOARD_LOG_LEVEL: s.sbLogLevel,
  });
  void (async () => {
    for await (const line of lines) if (line.trim()) process.stderr.write(`[switchboard] ${line.slice(0, 400)}\n`);
  })();
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`switchboard exited with code ${proc.exitCode} during start`);
    try {
      if ((await fetch(`${origin}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('switchboard: GET /health did not answer within 30 s');
    await sleep(100);
  }
  return { proc, baseURL: `${origin}/v1` };
}

/** Switchboard's counters now (its preload bench/support/sqlite-counter.ts answers over the IPC channel). */
function askCounts(proc: ChildProcess): Promise<Counts> {
  return new Promise<Counts>((resolve) => {
    proc.once('message', (m) => resolve(m as Counts));
    proc.send('counts');
  });
}

// ---------------------------------------------------------------------------
// PostgreSQL: an admin URL from SWITCHBOARD_BENCH_PG_URL, or a throwaway cluster (scripts/test.mjs's way).

let cluster: ThrowawayCluster | undefined;

async function startCluster(durable: boolean, statements: boolean): Promise<string> {
  cluster = await startThrowawayCluster({
    prefix: 'sb-bench-pg-',
    settings: [
      '-c max_connections=100',
      ...(statements ? ['-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all'] : []),
      ...(durable ? [] : ['-c fsync=off -c synchronous_commit=off -c full_page_writes=off']),
    ],
  });
  return cluster.adminUrl;
}

/** Synchronous, so the 'exit' handler can call it. */
function stopCluster(): void {
  if (!cluster) return;
  const c = cluster;
  cluster = undefined;
  stopThrowawayCluster(c);
}

const createdPgDbs: Array<{ adminUrl: string; name: string }> = [];

async function createPgDatabase(adminUrl: string): Promise<string> {
  const name = `sb_bench_runs_${randomBytes(6).toString('hex')}`;
  const url = await createDatabase(adminUrl, name);
  createdPgDbs.push({ adminUrl, name });
  return url;
}

async function dropPgDatabases(): Promise<void> {
  for (const { adminUrl, name } of createdPgDbs.splice(0)) await dropDatabase(adminUrl, name, log);
}

/** Cumulative counters of one database (pg_stat_*): commits and rows written. */
interface PgCounters {
  commits: number;
  rowsWritten: number;
}

async function pgCounters(url: string): Promise<PgCounters> {
  const [row] = await adminQuery<{ commits: string; rows: string }>(
    url,
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
            (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables) AS rows`,
  );
  return { commits: Number(row!.commits), rowsWritten: Number(row!.rows) };
}

/** BENCH_PG_STATEMENTS=1: the statements run since the last reset, per run, to stderr. */
async function logPgStatements(url: string, label: string, runs: number): Promise<void> {
  const rows = await adminQuery<{ calls: string; rows: string; ms: string; query: string }>(
    url,
    `SELECT calls, rows, round(total_exec_time::numeric, 1) AS ms, query FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC LIMIT 25`,
  );
  log(`${label}: pg_stat_statements, per run (calls, rows, exec ms) — query`);
  for (const r of rows)
    log(`  ${fmt(Number(r.calls) / runs, 2)}  ${fmt(Number(r.rows) / runs, 2)}  ${fmt(Number(r.ms) / runs, 3)}  ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`);
}

async function resetPgStatements(url: string): Promise<void> {
  await adminQuery(url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await adminQuery(url, 'SELECT pg_stat_statements_reset()');
}

/** Backends flush their statistics when they exit; give the ones of a closed pool a moment. */
async function pgCountersSettled(url: string): Promise<PgCounters> {
  await sleep(1_000);
  return pgCounters(url);
}

// ---------------------------------------------------------------------------
// CPU accounting (Linux /proc): our processes' CPU, and foreign load from whatever else runs on the
// machine (other engineers' builds and tests), which distorts numbers on 2 cores.


/** A CPU mark of the machine and our processes, with the ticks of each role measured per run. */
interface RolesMark extends CpuMark {
  byRole: { self: number; switchboard: number; postgres: number };
}

const TICK_MS = 1000 / CLK_TCK;

/**
 * The CPU ticks of the postmaster's exited and reaped children (cutime + cstime in /proc/<pid>/stat): the backends
 * of a pool closed before the second mark (the floor's, Switchboard's) are gone by then, and would count as foreign.
 */
function reapedTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[13]) + Number(f[14]);
  } catch {
    return 0;
  }
}

/** Marks this process, Switchboard (`sb`), the cluster's processes (live and reaped) and our other children. */
function cpuMarkByRole(sb?: ChildProcess): RolesMark | undefined {
  const postgres = clusterPids(cluster);
  const others = [...children].filter((c) => c !== sb && c.pid).map((c) => c.pid!);
  const sbPids = sb?.pid ? [sb.pid] : [];
  const mark = cpuMark([process.pid, ...sbPids, ...postgres, ...others]);
  if (!mark) return undefined;
  // The reaped backends' ticks as one more of our "processes", keyed by the postmaster's negated pid. A backend
  // alive at the first mark that exits before the second counts its ticks from before the first too: a slight
  // underestimate of foreign load (such backends are rare: pools live through a measurement).
  const postmaster = postgres[0];
  const ours = new Map(mark.ours);
  if (postmaster !== undefined) ours.set(-postmaster, reapedTicks(postmaster));
  const pgKeys = postmaster !== undefined ? [...postgres, -postmaster] : postgres;
  const withReaped = { ...mark, ours };
  return { ...withReaped, byRole: { self: ticksOf(withReaped, [process.pid]), switchboard: ticksOf(withReaped, sbPids), postgres: ticksOf(withReaped, pgKeys) } };
}

/** Set once a wait timed out: while the machine stays busy, later waits are short, so the benchmark ends. */
let persistentlyBusy = false;

/** Waits (up to BENCH_QUIET_WAIT_S, or 10 s while the machine is persistently busy) for a quiet 500 ms sample. */
async function waitForQuiet(s: Settings): Promise<void> {
  const maxWaitS = persistentlyBusy ? Math.min(10, s.quietWaitS) : s.quietWaitS;
  const mark = () => cpuMarkByRole();
  persistentlyBusy = !(await waitQuiet({ mark, maxShare: s.foreignCpuMax, maxWaitS, sampleMs: 500, log }));
}

// ---------------------------------------------------------------------------
// Statistics

/**
 * Per key, in first-seen order: the result with the median runs/s (the lower middle one for an even
 * count), among the rounds foreign load did not disturb when there are any.
 */
function medianRounds<T extends { runsPerSecond: number; foreign: number }>(all: T[], key: (t: T) => string, foreignMax: number): T[] {
  const groups = new Map<string, T[]>();
  for (const t of all) groups.set(key(t), [...(groups.get(key(t)) ?? []), t]);
  return [...groups.values()].map((g) => {
    const clean = g.filter((t) => t.foreign <= foreignMax);
    const pool = (clean.length ? clean : g).sort((a, b) => a.runsPerSecond - b.runsPerSecond);
    return pool[(pool.length - 1) >> 1]!;
  });
}

// ---------------------------------------------------------------------------
// Measurements

interface ModeResult {
  dialect: Dialect;
  mode: Mode;
  runs: number;
  errors: number;
  seconds: number;
  runsPerSecond: number;
  p50: number;
  p99: number;
  ttfeP50?: number;
  ttfeP99?: number;
  /** CPU ms per run: Switchboard's process, PostgreSQL's processes, this (load generator) process. */
  cpuMsPerRun: { switchboard: number; postgres: number; self: number };
  foreign: number;
  /** SQLite: statements, commits and commits that waited for the disk per measured run (sqlite-counter.ts). */
  sqlite?: { statementsPerRun: number; commitsPerRun: number; durableCommitsPerRun: number };
  /** PostgreSQL statistics per run (the whole Switchboard lifetime of this mode / runs incl. warm-up). */
  pg?: { commitsPerRun: number; rowsWrittenPerRun: number };
}

interface OneRun {
  ms: number;
  ttfeMs?: number;
}

async function oneRun(client: OpenAI, assistantId: string, mode: Mode, fastPollMs: number): Promise<OneRun> {
  const body = { assistant_id: assistantId, thread: { messages: [{ role: 'user' as const, content: 'hi' }] } };
  const signal = AbortSignal.timeout(RUN_TIMEOUT_MS);
  const t0 = performance.now();
  if (mode === 'streaming') {
    let ttfe: number | undefined;
    const stream = client.beta.threads.createAndRunStream(body, { signal });
    stream.on('event', () => (ttfe ??= performance.now() - t0));
    const run = await stream.finalRun();
    if (run.status !== 'completed') throw new Error(`run ${run.id} ended ${run.status}`);
    return { ms: performance.now() - t0, ttfeMs: ttfe };
  }
  const run = await client.beta.threads.createAndRunPoll(
    body,
    mode === 'polling-fast' ? { pollIntervalMs: fastPollMs, signal } : { signal },
  );
  if (run.status !== 'completed') throw new Error(`run ${run.id} ended ${run.status}`);
  return { ms: performance.now() - t0 };
}

async function runMany(n: number, concurrency: number, fn: () => Promise<OneRun>): Promise<{ results: OneRun[]; errors: string[]; seconds: number }> {
  const results: OneRun[] = [];
  const errors: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        next++;
        try {
          results.push(await fn());
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }),
  );
  return { results, errors, seconds: (performance.now() - started) / 1000 };
}

const MAX_ATTEMPTS = 3;

/**
 * Runs a measurement on a quiet machine; repeats it (up to MAX_ATTEMPTS) when other processes used
 * more than BENCH_FOREIGN_CPU_MAX of all CPU meanwhile, and then keeps the least disturbed attempt.
 */
async function quietly<T extends { foreign: number }>(s: Settings, label: string, fn: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    await waitForQuiet(s);
    const r = await fn();
    if (!best || r.foreign < best.foreign) best = r;
    if (r.foreign <= s.foreignCpuMax) return r;
    log(
      `${label}: other processes used ${fmt(r.foreign * 100)}% of all CPU meanwhile` +
        (attempt < MAX_ATTEMPTS ? ', repeating' : `; keeping the least disturbed attempt (${fmt(best.foreign * 100)}%)`),
    );
  }
  return best!;
}

async function measureMode(
  s: Settings,
  ctx: { dialect: Dialect; mode: Mode; databaseUrl: string; upstreamUrl: string },
): Promise<ModeResult> {
  const { dialect, mode } = ctx;
  if (dialect === 'postgres' && s.pgStatements) await resetPgStatements(ctx.databaseUrl);
  const before = dialect === 'postgres' ? await pgCounters(ctx.databaseUrl) : undefined;
  const sb = await startSwitchboard(s, ctx.databaseUrl, ctx.upstreamUrl);
  let measured;
  let a: RolesMark | undefined;
  let b: RolesMark | undefined;
  let sqlite: ModeResult['sqlite'];
  try {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: sb.baseURL, maxRetries: 0, timeout: RUN_TIMEOUT_MS });
    const assistant = await client.beta.assistants.create({ model: MODEL, instructions: 'You are terse.' });
    const one = () => oneRun(client, assistant.id, mode, s.fastPollMs);
    if (s.warmup > 0) {
      const w = await runMany(s.warmup, s.concurrency, one);
      if (w.errors.length) log(`${dialect}/${mode}: warm-up errors: ${w.errors[0]}`);
    }
    const countsBefore = await askCounts(sb.proc);
    a = cpuMarkByRole(sb.proc);
    measured = await runMany(s.runs, s.concurrency, one);
    b = cpuMarkByRole(sb.proc);
    const countsAfter = await askCounts(sb.proc);
    const per = (f: keyof Counts) => (countsAfter[f] - countsBefore[f]) / s.runs;
    if (dialect === 'sqlite')
      sqlite = { statementsPerRun: per('statements'), commitsPerRun: per('commits'), durableCommitsPerRun: per('durableCommits') };
  } finally {
    await stopChild(sb.proc);
  }
  const after = dialect === 'postgres' ? await pgCountersSettled(ctx.databaseUrl) : undefined;
  if (dialect === 'postgres' && s.pgStatements) await logPgStatements(ctx.databaseUrl, `${dialect}/${mode}`, s.runs + s.warmup);
  const { results, errors, seconds } = measured;
  if (errors.length) log(`${dialect}/${mode}: ${errors.length} failed runs, e.g. ${errors[0]}`);
  const ms = results.map((r) => r.ms).sort((x, y) => x - y);
  const ttfe = results.map((r) => r.ttfeMs).filter((x): x is number => x !== undefined).sort((x, y) => x - y);
  const perRun = (role: keyof RolesMark['byRole']) => (a && b ? ((b.byRole[role] - a.byRole[role]) * TICK_MS) / s.runs : NaN);
  const total = s.runs + s.warmup;
  return {
    dialect,
    mode,
    runs: results.length,
    errors: errors.length,
    seconds,
    runsPerSecond: results.length / seconds,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    ttfeP50: ttfe.length ? percentile(ttfe, 50) : undefined,
    ttfeP99: ttfe.length ? percentile(ttfe, 99) : undefined,
    cpuMsPerRun: { switchboard: perRun('switchboard'), postgres: perRun('postgres'), self: perRun('self') },
    foreign: foreignShare(a, b) ?? 0,
    sqlite,
    pg:
      before && after
        ? { commitsPerRun: (after.commits - before.commits) / total, rowsWrittenPerRun: (after.rowsWritten - before.rowsWritten) / total }
        : undefined,
  };
}

interface FloorMeasure extends FloorResult {
  dialect: Dialect;
  withReads: boolean;
  foreign: number;
  cpuMsPerRun: { self: number; postgres: number };
  pg?: { commitsPerRun: number; rowsWrittenPerRun: number };
}

async function measureFloorOnce(s: Settings, dialect: Dialect, withReads: boolean): Promise<FloorMeasure> {
  // A fresh database each time, migrated before the counters are read.
  const url = await freshDatabase(s, dialect);
  const store = openDb(url);
  await migrateToLatest(store.db);
  await store.close();
  const before = dialect === 'postgres' ? await pgCounters(url) : undefined;
  const a = cpuMarkByRole();
  const r = await measureFloor(url, { runs: s.runs, concurrency: s.concurrency, warmup: s.warmup, withReads });
  const b = cpuMarkByRole();
  const after = dialect === 'postgres' ? await pgCountersSettled(url) : undefined;
  const perRun = (role: 'self' | 'postgres') => (a && b ? ((b.byRole[role] - a.byRole[role]) * TICK_MS) / s.runs : NaN);
  // The floor's setup after the first counters (one assistant insert) is negligible.
  const total = s.runs + s.warmup;
  return {
    ...r,
    dialect,
    withReads,
    foreign: foreignShare(a, b) ?? 0,
    cpuMsPerRun: { self: perRun('self'), postgres: perRun('postgres') },
    pg:
      before && after
        ? { commitsPerRun: (after.commits - before.commits) / total, rowsWrittenPerRun: (after.rowsWritten - before.rowsWritten) / total }
        : undefined,
  };
}

// ---------------------------------------------------------------------------
// Databases

let TMP = '';
let pgAdminUrl: string | undefined;

async function freshDatabase(s: Settings, dialect: Dialect): Promise<string> {
  if (dialect === 'sqlite') return join(mkdtempSync(join(TMP, 'sqlite-')), 'switchboard.db');
  if (!pgAdminUrl) {
    if (s.pgUrl) {
      pgAdminUrl = s.pgUrl;
      log('PostgreSQL: using SWITCHBOARD_BENCH_PG_URL');
    } else {
      const t0 = performance.now();
      pgAdminUrl = await startCluster(s.pgDurable, s.pgStatements);
      log(`PostgreSQL: throwaway cluster ready in ${fmt((performance.now() - t0) / 1000, 1)} s (${s.pgDurable ? 'durable defaults' : 'fsync=off'})`);
    }
  }
  return createPgDatabase(pgAdminUrl);
}

// ---------------------------------------------------------------------------
// Report

interface Machine {
  date: string;
  cores: number;
  cpu: string;
  memGiB: number;
  os: string;
  node: string;
  sqlite: string;
  postgres?: string;
  pgSettings?: string;
  code: string;
}


async function machineInfo(s: Settings): Promise<Machine> {
  const mem = new SQLite(':memory:');
  const sqliteVersion = (mem.prepare('select sqlite_version() as v').get() as { v: string }).v;
  mem.close();
  let postgres: string | undefined;
  let pgSettings: string | undefined;
  if (pgAdminUrl) {
    const rows = await adminQuery<{ v: string; fsync: string; sc: string }>(
      pgAdminUrl,
      `SELECT current_setting('server_version') AS v, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc`,
    );
    postgres = rows[0]!.v;
    pgSettings = `fsync=${rows[0]!.fsync}, synchronous_commit=${rows[0]!.sc}${s.pgUrl ? ' (SWITCHBOARD_BENCH_PG_URL)' : ', throwaway local cluster over TCP 127.0.0.1'}`;
  }
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    sqlite: sqliteVersion,
    postgres,
    pgSettings,
    code: codeState(),
  };
}

const MODE_LABEL: Record<Mode, (s: Settings) => string> = {
  polling: () => 'polling (server hint)',
  'polling-fast': (s) => `polling (every ${s.fastPollMs} ms)`,
  streaming: () => 'streaming',
};

function report(
  s: Settings,
  m: Machine,
  modes: ModeResult[],
  floors: FloorMeasure[],
  all: { modes: ModeResult[]; floors: FloorMeasure[] },
): string {
  const floorOf = (d: Dialect, withReads: boolean) => floors.find((f) => f.dialect === d && f.withReads === withReads);
  const lines: string[] = [];
  lines.push(`Command: \`node --import tsx bench/runs.bench.ts\` (quick run: \`BENCH_RUNS=50 BENCH_DIALECTS=sqlite node --import tsx bench/runs.bench.ts\`)`);
  lines.push('');
  lines.push(`- Date: ${m.date}`);
  lines.push(`- Machine: ${m.cores} cores (${m.cpu}), ${m.memGiB} GiB, ${m.os}`);
  lines.push(`- Code: ${m.code}`);
  lines.push(`- Node ${m.node}; SQLite ${m.sqlite} (file in ${os.tmpdir()}, WAL, synchronous=FULL)${m.postgres ? `; PostgreSQL ${m.postgres} (${m.pgSettings})` : ''}`);
  lines.push(
    `- Settings: ${s.runs} runs per mode, ${s.concurrency} in flight, after ${s.warmup} warm-up runs; ${s.rounds} rounds, interleaved (each table row is the round with the median runs/s among those that other processes on the machine used less than ${fmt(s.foreignCpuMax * 100)}% of all CPU during, when there are any; "foreign CPU" = share of all CPU that other processes on the machine used during the measurement); Switchboard (\`src/main.ts\`, log level \`${s.sbLogLevel}\`, default worker: 32 runs at once) restarted per mode over the same database; fake upstream (instant, default streamed answer), Switchboard and this load generator (official \`openai\` SDK, \`maxRetries: 0\`) each in their own Node process.`,
  );
  lines.push(
    `- Each run: \`client.beta.threads.createAndRunPoll(…)\` or \`createAndRunStream(…).finalRun()\` with \`{ assistant_id, thread: { messages: [{ role: 'user', content: 'hi' }] } }\`. Times are client wall time per run (server timestamps have 1 s resolution); TTFE = time to the first event (\`thread.created\`).`,
  );
  lines.push(
    `- Floor (\`bench/runs-floor.ts\`): the same store work a run does — ${FLOOR_COMMITS_PER_RUN} commits, ${FLOOR_ROWS_WRITTEN_PER_RUN} rows written (create thread+message+run in one transaction; claim lease; → in_progress; insert step; insert message; complete message; complete step; → completed), through Switchboard's own repo functions and \`openDb\` (same pool size), ${s.concurrency} at a time, on a fresh database of the same kind: "runs/s if the database were the only cost". "+ reads" adds the 3 reads the engine makes between those writes.`,
  );
  lines.push('');
  lines.push('| store | mode | runs/s | p50 (ms) | p99 (ms) | TTFE p50 (ms) | floor runs/s | runs/s ÷ floor | Switchboard CPU / run (ms) | foreign CPU |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of modes) {
    const floor = floorOf(r.dialect, false);
    lines.push(
      `| ${r.dialect} | ${MODE_LABEL[r.mode](s)} | ${fmt(r.runsPerSecond, 1)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.ttfeP50 !== undefined ? fmt(r.ttfeP50, 1) : '—'} | ${floor ? fmt(floor.runsPerSecond, 1) : '—'} | ${floor ? `${fmt((100 * r.runsPerSecond) / floor.runsPerSecond)}%` : '—'} | ${fmt(r.cpuMsPerRun.switchboard, 1)} | ${fmt(r.foreign * 100)}% |`,
    );
  }
  lines.push('');
  lines.push('| floor | runs/s | p50 (ms) | p99 (ms) | commits/s | foreign CPU |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const f of floors) {
    lines.push(
      `| ${f.dialect}, writes${f.withReads ? ' + reads' : ''} | ${fmt(f.runsPerSecond, 1)} | ${fmt(percentile(f.latenciesMs, 50), 1)} | ${fmt(percentile(f.latenciesMs, 99), 1)} | ${fmt(f.runsPerSecond * FLOOR_COMMITS_PER_RUN)} | ${fmt(f.foreign * 100)}% |`,
    );
  }
  const notes: string[] = [];
  const roundsOf = <T extends { runsPerSecond: number; foreign: number }>(xs: T[]) =>
    xs.length > 1 ? [`runs/s per round (foreign CPU) ${xs.map((x) => `${fmt(x.runsPerSecond, 1)} (${fmt(x.foreign * 100)}%)`).join(', ')}`] : [];
  for (const r of modes) {
    const bits = [
      ...roundsOf(all.modes.filter((x) => x.dialect === r.dialect && x.mode === r.mode)),
      `${r.errors} errors`,
      `load generator CPU ${fmt(r.cpuMsPerRun.self, 1)} ms/run`,
    ];
    if (r.dialect === 'postgres') bits.push(`PostgreSQL CPU ${fmt(r.cpuMsPerRun.postgres, 1)} ms/run`);
    if (r.ttfeP99 !== undefined) bits.push(`TTFE p99 ${fmt(r.ttfeP99, 1)} ms`);
    if (r.sqlite)
      bits.push(
        `SQLite: ${fmt(r.sqlite.statementsPerRun, 1)} statements and ${fmt(r.sqlite.commitsPerRun, 1)} commits ` +
          `(${fmt(r.sqlite.durableCommitsPerRun, 1)} waited for the disk) per run`,
      );
    if (r.pg) bits.push(`pg_stat: ${fmt(r.pg.commitsPerRun, 1)} transactions (incl. read-only statements) and ${fmt(r.pg.rowsWrittenPerRun, 1)} rows written per run`);
    notes.push(`- ${r.dialect} / ${MODE_LABEL[r.mode](s)}: ${bits.join('; ')}`);
  }
  for (const f of floors) {
    const bits = [
      ...roundsOf(all.floors.filter((x) => x.dialect === f.dialect && x.withReads === f.withReads)),
      `CPU ${fmt(f.cpuMsPerRun.self, 1)} ms/run`,
    ];
    if (f.dialect === 'postgres') bits.push(`PostgreSQL CPU ${fmt(f.cpuMsPerRun.postgres, 1)} ms/run`);
    if (f.pg) bits.push(`pg_stat: ${fmt(f.pg.commitsPerRun, 1)} transactions and ${fmt(f.pg.rowsWrittenPerRun, 1)} rows written per run`);
    notes.push(`- floor ${f.dialect}, writes${f.withReads ? ' + reads' : ''}: ${bits.join('; ')}`);
  }
  lines.push('');
  lines.push('Details:');
  lines.push('');
  lines.push(...notes);
  return lines.join('\n');
}


const SECTION_HEADING = '## Assistants runs';

// ---------------------------------------------------------------------------
// Main

async function cleanup(): Promise<void> {
  shuttingDown = true;
  await Promise.all([...children].map((c) => stopChild(c)));
  await dropPgDatabases();
  stopCluster();
  if (TMP) rmSync(TMP, { recursive: true, force: true });
}

async function benchmark(): Promise<void> {
  const s = settings();
  TMP = mkdtempSync(join(os.tmpdir(), 'sb-bench-runs-'));
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL');
    stopCluster();
    rmSync(TMP, { recursive: true, force: true });
  });
  const stopWatchdog = cleanUpOnSignalOrTimeout(cleanup, s.timeoutS, log);

  let code = 0;
  try {
    log(`settings: ${JSON.stringify({ ...s, pgUrl: s.pgUrl ? '(set)' : undefined })}`);
    const up = startChild('upstream', ['--import', 'tsx', SELF], { BENCH_RUNS_ROLE: 'upstream' });
    const upstreamUrl = `http://127.0.0.1:${await readPort('upstream', up.lines)}/v1`;
    const modesToRun = (['polling', 'polling-fast', 'streaming'] as const).filter(
      (m) => s.modes.includes(m) && (m !== 'polling-fast' || s.fastPollMs > 0),
    );
    const modes: ModeResult[] = [];
    const floors: FloorMeasure[] = [];
    const databases = new Map<Dialect, string>();
    for (const dialect of s.dialects) {
      const databaseUrl = await freshDatabase(s, dialect);
      const store = openDb(databaseUrl);
      const migrated = await migrateToLatest(store.db);
      await store.close();
      if (migrated.error) throw migrated.error;
      databases.set(dialect, databaseUrl);
    }
    // Rounds interleave everything (dialects, modes, floors), so slow drift and bursts of foreign
    // load spread over all of them; the round with the median runs/s is reported.
    for (let round = 1; round <= s.rounds; round++) {
      for (const dialect of s.dialects) {
        const databaseUrl = databases.get(dialect)!;
        for (const mode of modesToRun) {
          log(`round ${round}/${s.rounds}: ${dialect} / ${mode}: ${s.warmup} warm-up + ${s.runs} runs, ${s.concurrency} in flight…`);
          const r = await quietly(s, `${dialect}/${mode}`, () => measureMode(s, { dialect, mode, databaseUrl, upstreamUrl }));
          modes.push(r);
          log(
            `${dialect} / ${mode}: ${fmt(r.runsPerSecond, 1)} runs/s, p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms` +
              (r.ttfeP50 !== undefined ? `, TTFE p50 ${fmt(r.ttfeP50, 1)} ms` : '') +
              `, Switchboard CPU ${fmt(r.cpuMsPerRun.switchboard, 1)} ms/run, ${r.errors} errors`,
          );
        }
        for (const withReads of s.floor ? [false, true] : []) {
          log(`round ${round}/${s.rounds}: ${dialect} / floor (writes${withReads ? ' + reads' : ''}): ${s.warmup} warm-up + ${s.runs} runs…`);
          const f = await quietly(s, `${dialect}/floor`, () => measureFloorOnce(s, dialect, withReads));
          floors.push(f);
          log(`${dialect} / floor (writes${withReads ? ' + reads' : ''}): ${fmt(f.runsPerSecond, 1)} runs/s, p50 ${fmt(percentile(f.latenciesMs, 50), 1)} ms`);
        }
      }
    }
    const machine = await machineInfo(s);
    const block = report(
      s,
      machine,
      medianRounds(modes, (r) => `${r.dialect}/${r.mode}`, s.foreignCpuMax),
      medianRounds(floors, (f) => `${f.dialect}/${f.withReads}`, s.foreignCpuMax),
      { modes, floors },
    );
    process.stdout.write(`${SECTION_HEADING}\n\n${block}\n`);
    if (s.write) {
      writeBenchmarkBlock({ id: 'runs-bench', generatedBy: 'bench/runs.bench.ts', heading: SECTION_HEADING, block });
      log('BENCHMARKS.md updated (## Assistants runs)');
    }
    if (modes.some((r) => r.errors > 0)) code = 1;
  } catch (err) {
    log(`failed: ${(err as Error)?.stack ?? String(err)}`);
    code = 1;
  } finally {
    await cleanup();
    stopWatchdog();
  }
  process.exit(code);
}

// ---------------------------------------------------------------------------
// Entry: the benchmark, or (BENCH_RUNS_ROLE=upstream) its fake upstream child — same file, no other script.

if (process.env.BENCH_RUNS_ROLE === 'upstream') {
  const { startFakeUpstream } = await import('../test/fakes/fake-upstream.js');
  const upstream = await startFakeUpstream({ record: false });
  process.stdout.write(`PORT=${upstream.port}\n`);
  const stop = (): void => void upstream.close().then(() => process.exit(0), () => process.exit(1));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  await benchmark();
}
