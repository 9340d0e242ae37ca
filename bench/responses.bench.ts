/**
 * Responses benchmark: the same question streamed three ways, sequentially over one keep-alive connection each,
 * with the instant fake upstream of the gateway bench (bench/fake-upstream-server.ts) behind Switchboard:
 *
 *   direct     → POST /v1/chat/completions (stream) on the fake upstream itself (the load generator's and upstream's cost)
 *   chat       → POST /v1/chat/completions (stream) through Switchboard (the gateway path)
 *   responses  → POST /v1/responses (stream) through Switchboard (a run on the engine, stored: the default `store: true`)
 *   unstored   → the same with `store: false` (informative: what keeping the response costs; the target is on `responses`)
 *
 * For each: end-to-end p50/p99 (to the end of the stream), time to the first event (first SSE bytes) and to the first
 * text delta. "Added" = target minus direct, per round, median over rounds. Target from issue 12: Responses' added
 * p50 within 1.5× of the Chat Completions path's.
 *
 *   npm run bench:responses                                              # full run
 *   BENCH_WRITE=0 BENCH_ROUNDS=1 BENCH_RESPONSES_REQUESTS=50 npm run bench:responses   # quick run
 *
 * Env knobs (defaults): BENCH_ROUNDS (3), BENCH_RESPONSES_REQUESTS (500 per target and round), BENCH_WRITE (0 = don't
 * touch BENCHMARKS.md; force = write it even when other processes kept the machine busy; the gateway bench's rule),
 * BENCH_FOREIGN_CPU_MAX (0.15), BENCH_TIMEOUT_S (900), BENCH_SWITCHBOARD_LOG_LEVEL (warn), BENCH_SWITCHBOARD_NODE_ARGS (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/sb-prof"). Switchboard runs with bench/support/sqlite-counter.ts preloaded: the table
 * gives its CPU ms, SQLite statements and commits per request, exact however busy the machine is, and (Linux) the part
 * of that CPU on its main thread: the rest is V8's background threads (its compilers; not GC: it stays with
 * --single-threaded-gc), ~1.5 ms a streamed response against ~0.3 ms a chat request, which a request does not wait for.
 * The row "time waiting for the disk" is the floor the durability contract sets: a stored response's end is committed
 * with a wait for the disk before `response.completed` is sent (store:false waits for it in no commit); measured in
 * Switchboard as the durable commits' time less what as many relaxed commits take, so it shows how busy the disk was.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from './support/pg-cluster.js';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { writeIfQuiet, writeModeFromEnv } from './support/benchmarks-md.js';
import { codeState } from './support/code-state.js';
import { CLK_TCK, cpuMark, foreignShare, waitQuiet } from './support/cpu.js';
import { envInt } from './support/env.js';
import { cleanUpOnSignalOrTimeout } from './support/lifecycle.js';
import { median, percentile } from './support/stats.js';
import type { Counts } from './support/sqlite-counter.js';

const SETTINGS = {
  rounds: envInt('BENCH_ROUNDS', 3),
  requests: envInt('BENCH_RESPONSES_REQUESTS', 500),
  write: writeModeFromEnv(),
  timeoutS: envInt('BENCH_TIMEOUT_S', 900),
  sbLogLevel: process.env.BENCH_SWITCHBOARD_LOG_LEVEL || 'warn',
  sbNodeArgs: (process.env.BENCH_SWITCHBOARD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
};
const FOREIGN_CPU_MAX = Number(process.env.BENCH_FOREIGN_CPU_MAX || 0.15);
/** Responses' added p50 over the Chat Completions path's, from the issue. */
const TARGET_RATIO = 1.5;
/** Targets alternate every BLOCK requests (order rotating), so a burst of foreign load hits all alike. */
const BLOCK = 50;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const API_KEY = 'sk-bench';
const QUESTION = 'What is the capital of France?';
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
const TMP = mkdtempSync(join(os.tmpdir(), 'sb-bench-responses-'));
const log = (msg: string): void => void process.stderr.write(`[bench:responses] ${msg}\n`);

type Key = 'direct' | 'chat' | 'responses' | 'unstored';
interface Target {
  key: Key;
  label: string;
  path: string;
  body: string;
  /** A bytes chunk holding the first text delta. */
  textMark: string;
  pool: Pool;
}
interface Samples {
  total: number[];
  firstEvent: number[];
  firstText: number[];
  errors: number;
  /** Switchboard's counts over this target's requests (sqlite-counter.ts), and how many requests they cover. */
  counts: Counts;
  /** Its main thread's CPU ticks over them. */
  mainTicks: number;
  counted: number;
}
interface Stats {
  totalP50: number;
  totalP99: number;
  firstEventP50: number;
  firstEventP99: number;
  firstTextP50: number;
  errors: number;
  /** Per request, in Switchboard: CPU ms (all threads, and the main thread's), SQLite statements, commits, commits that waited for the disk. */
  cpuMs: number;
  mainCpuMs: number;
  statements: number;
  commits: number;
  durableCommits: number;
  /** Per request: the durable commits' time beyond what a relaxed commit takes (the wait for the disk, ms). */
  diskWaitMs: number;
}

/**
 * The time the durable commits spent waiting for the disk, ms: their time less what as many relaxed commits take
 * (the same work without the fsync). Without relaxed commits to compare, their whole time.
 */
function diskWaitMs(c: Counts): number {
  const relaxed = c.commits - c.durableCommits;
  const perRelaxedUs = relaxed > 0 ? c.relaxedUs / relaxed : 0;
  return Math.max(0, c.durableUs - c.durableCommits * perRelaxedUs) / 1000;
}

/**
 * CPU ticks so far of Switchboard's main thread (its JavaScript, SQLite's work, the socket writes: what a request
 * waits for) — the rest of its CPU is V8's background threads (compilers, GC helpers). 0 off Linux.
 */
let mainThreadTicks: () => number = () => 0;

function threadTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** Switchboard's counters now (bench/support/sqlite-counter.ts, over its IPC channel). */
const zeroCounts = (): Counts => ({ statements: 0, commits: 0, durableCommits: 0, durableUs: 0, relaxedUs: 0, cpuUs: 0 });
let askCounts: () => Promise<Counts> = () => Promise.resolve(zeroCounts());

function countsOver(proc: ChildProcess): () => Promise<Counts> {
  return () =>
    new Promise<Counts>((resolve) => {
      proc.once('message', (m) => resolve(m as Counts));
      proc.send('counts');
    });
}

const children: ChildProcess[] = [];

function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  preload: string[] = [],
  nodeArgs: string[] = [],
): { proc: ChildProcess; lines: AsyncIterableIterator<string> } {
  const args = [...nodeArgs, '--import', 'tsx', ...preload.flatMap((p) => ['--import', p]), script];
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.push(proc);
  let shown = 0;
  createInterface({ input: proc.stderr! }).on('line', (l) => {
    if (shown++ < 5) process.stderr.write(`[${name}] ${l.slice(0, 400)}\n`);
  });
  return { proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

async function readPort(lines: AsyncIterableIterator<string>): Promise<number> {
  for await (const line of lines) {
    const m = /^PORT=(\d+)$/.exec(line.trim());
    if (m) return Number(m[1]);
  }
  throw new Error('upstream exited before printing its port');
}

async function waitForHealth(origin: string, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`switchboard exited with code ${proc.exitCode} during start`);
    const ok = await fetch(`${origin}/health`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error('switchboard: GET /health did not answer 200 within 30 s');
}

async function stopChildren(): Promise<void> {
  await Promise.all(
    children.map(async (proc) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

const usSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1000;

/** One streamed request: µs to the first body bytes (the first event), to the first text delta, to the stream's end. */
async function oneRequest(t: Target, into: Samples): Promise<void> {
  const start = process.hrtime.bigint();
  const res = await t.pool.request({ path: t.path, method: 'POST', headers: HEADERS, body: t.body });
  let firstEvent: number | undefined;
  let firstText: number | undefined;
  let tail = '';
  for await (const chunk of res.body) {
    firstEvent ??= usSince(start);
    if (firstText === undefined) {
      tail = (tail + (chunk as Buffer).toString('utf8')).slice(-4096);
      if (tail.includes(t.textMark)) firstText = usSince(start);
    }
  }
  const total = usSince(start);
  if (res.statusCode !== 200 || firstEvent === undefined || firstText === undefined) {
    into.errors++;
    return;
  }
  into.total.push(total);
  into.firstEvent.push(firstEvent);
  into.firstText.push(firstText);
}

async function measure(targets: Target[], n: number): Promise<Map<Key, Stats>> {
  const acc = new Map<Key, Samples>(targets.map((t) => [t.key, { total: [], firstEvent: [], firstText: [], errors: 0, counts: zeroCounts(), mainTicks: 0, counted: 0 }]));
  for (let done = 0, b = 0; done < n; done += BLOCK, b++)
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + b) % targets.length]!;
      const samples = acc.get(t.key)!;
      const before = await askCounts();
      const ticks = mainThreadTicks();
      const count = Math.min(BLOCK, n - done);
      for (let i = 0; i < count; i++) await oneRequest(t, samples);
      samples.mainTicks += mainThreadTicks() - ticks;
      const after = await askCounts();
      for (const f of ['statements', 'commits', 'durableCommits', 'durableUs', 'relaxedUs', 'cpuUs'] as const) samples.counts[f] += after[f] - before[f];
      samples.counted += count;
    }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  return new Map(
    [...acc].map(([k, s]) => {
      const total = sorted(s.total);
      const first = sorted(s.firstEvent);
      const text = sorted(s.firstText);
      return [
        k,
        {
          totalP50: percentile(total, 50),
          totalP99: percentile(total, 99),
          firstEventP50: percentile(first, 50),
          firstEventP99: percentile(first, 99),
          firstTextP50: percentile(text, 50),
          errors: s.errors,
          cpuMs: s.counts.cpuUs / 1000 / s.counted,
          mainCpuMs: (s.mainTicks * 1000) / CLK_TCK / s.counted,
          statements: s.counts.statements / s.counted,
          commits: s.counts.commits / s.counted,
          durableCommits: s.counts.durableCommits / s.counted,
          diskWaitMs: diskWaitMs(s.counts) / s.counted,
        },
      ];
    }),
  );
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

async function main(): Promise<void> {
  const pools: Pool[] = [];
  const stopWatchdog = cleanUpOnSignalOrTimeout(
    async () => {
      await stopChildren();
      rmSync(TMP, { recursive: true, force: true });
    },
    SETTINGS.timeoutS,
    log,
  );
  try {
    log(`settings: ${JSON.stringify(SETTINGS)}`);
    const code = codeState();
    const up = startChild('upstream', 'bench/fake-upstream-server.ts', {});
    const upstreamOrigin = `http://127.0.0.1:${await readPort(up.lines)}`;
    const sbPort = await freePort();
    const sb = startChild('switchboard', 'src/main.ts', {
      PORT: String(sbPort),
      HOST: '127.0.0.1',
      SWITCHBOARD_UPSTREAM_URL: `${upstreamOrigin}/v1`,
      SWITCHBOARD_API_KEYS: API_KEY,
      SWITCHBOARD_DATABASE_URL: join(TMP, 'switchboard.db'),
      SWITCHBOARD_LOG_LEVEL: SETTINGS.sbLogLevel,
    }, ['./bench/support/sqlite-counter.ts'], SETTINGS.sbNodeArgs);
    askCounts = countsOver(sb.proc);
    mainThreadTicks = () => threadTicks(sb.proc.pid ?? 0);
    void (async () => {
      for await (const _line of sb.lines);
    })();
    const sbOrigin = `http://127.0.0.1:${sbPort}`;
    await waitForHealth(sbOrigin, sb.proc);

    const chatBody = JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: QUESTION }], stream: true });
    const mk = (key: Key, label: string, origin: string, path: string, body: string, textMark: string): Target => {
      const pool = new Pool(origin, { connections: 1, pipelining: 1 });
      pools.push(pool);
      return { key, label, path, body, textMark, pool };
    };
    const targets = [
      mk('direct', 'direct chat (upstream)', upstreamOrigin, '/v1/chat/completions', chatBody, '"content":"'),
      mk('chat', 'Chat Completions via Switchboard', sbOrigin, '/v1/chat/completions', chatBody, '"content":"'),
      mk('responses', 'Responses via Switchboard', sbOrigin, '/v1/responses', JSON.stringify({ model: 'fake-model', input: QUESTION, stream: true }), 'response.output_text.delta'),
      mk('unstored', 'Responses, store: false', sbOrigin, '/v1/responses', JSON.stringify({ model: 'fake-model', input: QUESTION, stream: true, store: false }), 'response.output_text.delta'),
    ];
    // Warm-up (JIT, pools, SQLite), and a check that every target streams text.
    const warm = await measure(targets, Math.min(100, SETTINGS.requests));
    for (const t of targets) if (warm.get(t.key)!.errors > 0) throw new Error(`${t.label}: ${warm.get(t.key)!.errors} failed requests in the warm-up`);

    const mark = () => cpuMark([process.pid, ...children.map((c) => c.pid ?? 0)]);
    const rounds: Array<Map<Key, Stats>> = [];
    const foreign: number[] = [];
    for (let round = 0; round < SETTINGS.rounds; round++) {
      await waitQuiet({ mark, maxShare: FOREIGN_CPU_MAX, maxWaitS: 60, sampleMs: 500, log });
      const a = mark();
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      rounds.push(await measure(order, SETTINGS.requests));
      foreign.push(foreignShare(a, mark()) ?? 0);
      log(`round ${round + 1}/${SETTINGS.rounds} done (other processes: ${fmt(foreign.at(-1)! * 100)}% CPU)`);
    }

    const med = (key: Key, f: keyof Stats) => median(rounds.map((r) => r.get(key)![f]));
    const added = (key: Exclude<Key, 'direct'>, f: 'totalP50' | 'totalP99') => median(rounds.map((r) => r.get(key)![f] - r.get('direct')![f]));
    const ratio = added('responses', 'totalP50') / added('chat', 'totalP50');
    const row = (label: string, cell: (k: Key) => string) => `| ${label} | ${targets.map((t) => cell(t.key)).join(' | ')} |`;
    const addedCell = (k: Key, f: 'totalP50' | 'totalP99') => (k === 'direct' ? '—' : fmt(added(k, f)));
    const table = [
      `| metric | ${targets.map((t) => t.label).join(' | ')} |`,
      `|---|${targets.map(() => '---:').join('|')}|`,
      row('end-to-end p50 (µs)', (k) => fmt(med(k, 'totalP50'))),
      row('end-to-end p99 (µs)', (k) => fmt(med(k, 'totalP99'))),
      row('**added latency p50 vs direct (µs)**', (k) => `**${addedCell(k, 'totalP50')}**`),
      row('added latency p99 vs direct (µs)', (k) => addedCell(k, 'totalP99')),
      row('time to first event p50 (µs)', (k) => fmt(med(k, 'firstEventP50'))),
      row('time to first event p99 (µs)', (k) => fmt(med(k, 'firstEventP99'))),
      row('time to first text delta p50 (µs)', (k) => fmt(med(k, 'firstTextP50'))),
      row('errors (all rounds)', (k) => fmt(rounds.reduce((n, r) => n + r.get(k)!.errors, 0))),
      row('Switchboard CPU per request (ms)', (k) => (k === 'direct' ? '—' : fmt(med(k, 'cpuMs'), 2))),
      row('… of it on its main thread (ms)', (k) => (k === 'direct' ? '—' : fmt(med(k, 'mainCpuMs'), 2))),
      row('SQLite statements per request', (k) => (k === 'direct' ? '—' : fmt(med(k, 'statements'), 1))),
      row('commits per request (waited for the disk)', (k) => (k === 'direct' ? '—' : `${fmt(med(k, 'commits'), 1)} (${fmt(med(k, 'durableCommits'), 1)})`)),
      row('… time waiting for the disk per request (ms)', (k) => (k === 'direct' ? '—' : fmt(med(k, 'diskWaitMs'), 2))),
    ].join('\n');
    const verdict = `| Responses added p50 / Chat Completions added p50 | ${fmt(ratio, 2)}× | ≤ ${TARGET_RATIO}× | ${ratio <= TARGET_RATIO ? '✅ met' : '❌ missed'} |`;
    const unstoredRatio = added('unstored', 'totalP50') / added('chat', 'totalP50');
    const informative = `| Responses with store: false added p50 / Chat Completions added p50 | ${fmt(unstoredRatio, 2)}× | — | informative |`;
    // The floor the durability contract sets (a stored response's end waits for the disk once): what is left above it.
    const aboveFloor = (added('responses', 'totalP50') - med('responses', 'diskWaitMs') * 1000) / added('chat', 'totalP50');
    const floorLine = `| (Responses added p50 − its wait for the disk) / Chat Completions added p50 | ${fmt(aboveFloor, 2)}× | — | informative |`;
    const ratios = ['| ratio | value | target | result |', '|---|---:|---:|---|', verdict, informative, floorLine].join('\n');
    const foreignLine =
      `- Other processes' CPU use while measuring: median ${fmt(median(foreign) * 100, 1)}%, ` +
      `max ${fmt(Math.max(0, ...foreign) * 100, 1)}% (${foreign.map((v) => fmt(v * 100)).join(', ')}).`;
    const cpus = os.cpus();
    const section = [
      `Command: \`npm run bench:responses\` (quick run: \`BENCH_ROUNDS=1 BENCH_RESPONSES_REQUESTS=50 npm run bench:responses\`)`,
      ``,
      `- Date: ${new Date().toISOString()}`,
      `- Machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${os.type()} ${os.release()} ${os.arch()}; Node ${process.version}; code: ${code}`,
      `- Settings: ${SETTINGS.rounds} rounds (median reported), ${SETTINGS.requests} streamed requests per target and round over one ` +
        `keep-alive connection, targets alternating every ${BLOCK} requests; Switchboard on SQLite, log level \`${SETTINGS.sbLogLevel}\`.`,
      foreignLine,
      ``,
      `Requests: \`${chatBody}\` to \`/v1/chat/completions\` (direct and through Switchboard) and ` +
        `\`{"model":"fake-model","input":"${QUESTION}","stream":true}\` to \`/v1/responses\` (stored, the default; and with \`"store":false\`, which keeps nothing). ` +
        `"First event": the first SSE bytes (Responses sends \`response.created\` before the model is called); ` +
        `"time waiting for the disk": the commits that waited for it (a stored response's end, which must be durable before ` +
        `\`response.completed\`) less what as many relaxed commits take, measured in Switchboard; ` +
        `"first text delta": the chunk holding the first text. "Added" = target minus direct, per round.`,
      ``,
      table,
      ``,
      ratios,
    ].join('\n');
    process.stdout.write(`\n${table}\n\n${ratios}\n${foreignLine}\n`);
    const disturbed = median(foreign) > FOREIGN_CPU_MAX;
    writeIfQuiet({ id: 'responses', generatedBy: '`npm run bench:responses`', heading: '## Responses', block: section, mode: SETTINGS.write, disturbed, log });
  } finally {
    stopWatchdog();
    await Promise.all(pools.map((p) => p.close()));
    await stopChildren();
    rmSync(TMP, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`failed: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
