/**
 * code_interpreter benchmark: what the sandbox costs, next to the same code run directly with
 * python3 (the floor: no bubblewrap, no runner, no limits) in the same run, interleaved.
 *
 *   node --import tsx bench/code-interpreter.bench.ts
 *   BENCH_FRESH=5 BENCH_WARM_CALLS=50 BENCH_ROUNDS=1 BENCH_WRITE=0 node --import tsx bench/code-interpreter.bench.ts
 *
 * Measured through SessionPool.exec (what the code_interpreter tool calls), per round:
 *   fresh        a new thread's first call: bubblewrap + Python start + runner + the cell, until its
 *                first output byte. Floor: spawn `python3 -c <cell>` until its first stdout byte.
 *   fresh+pandas the same with `import pandas` in the cell (what a first data analysis pays).
 *   fresh, started ahead   a new thread's first call when the pool had a sandbox started ahead
 *                (`prestart`, the default once code_interpreter has been used).
 *   warm         a call on a live session, until its first output and until it is done (calls/s,
 *                one after another). Floor: a python3 process reading cells on a pipe and exec'ing
 *                them (the same loop without sandbox, limits, traceback or figure handling).
 *   warm numpy   a warm call that computes something real (sum of 10^6 floats).
 * The model, the database and HTTP are not in these numbers: a run adds its own costs
 * (bench/runs.bench.ts).
 *
 * Env knobs (defaults): BENCH_ROUNDS (3, interleaved; the median round is reported), BENCH_FRESH (10
 * fresh sessions per round and kind), BENCH_WARM_CALLS (300 per round and kind), BENCH_WRITE (1; 0 =
 * don't touch BENCHMARKS.md).
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { SessionPool } from '../src/sandbox/session-pool.js';
import { writeBenchmarkBlock } from './support/benchmarks-md.js';
import { codeState } from './support/code-state.js';
import { envInt } from './support/env.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';

const ROUNDS = envInt('BENCH_ROUNDS', 3);
const FRESH = envInt('BENCH_FRESH', 10);
const WARM = envInt('BENCH_WARM_CALLS', 300);
const WRITE = process.env.BENCH_WRITE !== '0';
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

const CELLS = {
  print: 'print(1)',
  pandas: 'import pandas\nprint(1)',
  numpy: 'import numpy as np\nprint(np.arange(1_000_000, dtype=float).sum())',
};

// ---------------------------------------------------------------------------
// The floor: python3 without any sandbox

/** `python3 -c cell` until the first byte on stdout, and until it exits. */
function floorFresh(cell: string): Promise<{ first: number; done: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    const child = spawn(PYTHON, ['-u', '-c', cell], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => (first = performance.now() - t0));
    child.stdout.resume();
    child.on('error', reject);
    child.on('exit', () => resolve({ first, done: performance.now() - t0 }));
  });
}

const FLOOR_LOOP = [
  'import sys, json',
  'ns = {"__name__": "__main__"}',
  'for line in sys.stdin:',
  '    exec(json.loads(line), ns)',
  '    sys.stdout.write("\\x1e"); sys.stdout.flush()',
].join('\n');

/** A plain python3 REPL over a pipe: cells in, output and an end marker out. */
class FloorRepl {
  readonly #child = spawn(PYTHON, ['-u', '-c', FLOOR_LOOP], { stdio: ['pipe', 'pipe', 'inherit'] });
  #onData: ((chunk: Buffer) => void) | undefined;
  constructor() {
    this.#child.stdout.on('data', (chunk: Buffer) => this.#onData?.(chunk));
  }
  exec(cell: string): Promise<{ first: number; done: number }> {
    return new Promise((resolve) => {
      const t0 = performance.now();
      let first = 0;
      this.#onData = (chunk) => {
        first ||= performance.now() - t0;
        if (chunk.includes(0x1e)) resolve({ first, done: performance.now() - t0 });
      };
      this.#child.stdin.write(JSON.stringify(cell) + '\n');
    });
  }
  close(): void {
    this.#child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------
// Switchboard: the session pool the tool uses

let keySeq = 0;
async function sandboxExec(pool: SessionPool, key: string, cell: string): Promise<{ first: number; done: number }> {
  const t0 = performance.now();
  let first = 0;
  const r = await pool.exec(key, cell, { inputs: [], onOutput: () => (first ||= performance.now() - t0) });
  if (r.error || r.ended) throw new Error(`the cell failed in the sandbox: ${r.output} ${r.ended ?? ''}`);
  return { first, done: performance.now() - t0 };
}

// ---------------------------------------------------------------------------
// Statistics

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

interface Row {
  name: string;
  sandbox: number[];
  floor: number[];
  /** Calls per second, one after another (warm rows). */
  sandboxRate?: number;
  floorRate?: number;
}

async function warmRound(pool: SessionPool): Promise<Row[]> {
  const rows: Row[] = [];
  const key = `warm-${keySeq++}`;
  const repl = new FloorRepl();
  try {
    await sandboxExec(pool, key, CELLS.numpy); // imports numpy once, like the floor below
    await repl.exec(CELLS.numpy);
    for (const [name, cell] of [['warm: print(1)', CELLS.print], ['warm: numpy sum of 10^6', CELLS.numpy]] as const) {
      const row: Row = { name, sandbox: [], floor: [] };
      let t = performance.now();
      for (let i = 0; i < WARM; i++) row.floor.push((await repl.exec(cell)).done);
      row.floorRate = WARM / ((performance.now() - t) / 1000);
      t = performance.now();
      for (let i = 0; i < WARM; i++) row.sandbox.push((await sandboxExec(pool, key, cell)).done);
      row.sandboxRate = WARM / ((performance.now() - t) / 1000);
      rows.push(row);
    }
  } finally {
    repl.close();
  }
  return rows;
}

function table(rounds: Row[][]): string {
  const names = rounds[0]!.map((r) => r.name);
  const lines = [
    '| measurement | Switchboard p50 | p95 | python3 directly (floor) p50 | p95 | added p50 | calls/s Switchboard | calls/s floor |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const name of names) {
    // The round with the median Switchboard p50 for this measurement.
    const candidates = rounds.map((rs) => rs.find((r) => r.name === name)!).sort((a, b) => pct(a.sandbox, 50) - pct(b.sandbox, 50));
    const r = candidates[Math.floor(candidates.length / 2)]!;
    const added = pct(r.sandbox, 50) - pct(r.floor, 50);
    lines.push(
      `| ${name}${name.startsWith('warm') ? ' (whole call)' : ' (to first output)'} | ${ms(pct(r.sandbox, 50))} ms | ${ms(pct(r.sandbox, 95))} ms | ` +
        `${ms(pct(r.floor, 50))} ms | ${ms(pct(r.floor, 95))} ms | ${added >= 0 ? '+' : ''}${ms(added)} ms | ` +
        `${r.sandboxRate ? r.sandboxRate.toFixed(0) : '—'} | ${r.floorRate ? r.floorRate.toFixed(0) : '—'} |`,
    );
  }
  return lines.join('\n');
}


const HEADING = '## code_interpreter sandbox';

async function main(): Promise<void> {
  const cfg = { ...loadConfig({}).codeInterpreter, maxSessions: 4 };
  const quiet = createLogger('warn');
  const commit = codeState();
  const rounds: Row[][] = [];
  for (let i = 0; i < ROUNDS; i++) {
    log(`round ${i + 1}/${ROUNDS}: ${FRESH} fresh sessions per kind, ${WARM} warm calls per kind`);
    // Each fresh sample closes the pool, so fresh rounds use pools of their own.
    const freshPool = new SessionPool(cfg, { now: Date.now, log: quiet });
    await freshPool.start();
    if (!freshPool.available) throw new Error(freshPool.unavailableReason);
    const fresh: Row[] = [];
    for (const [name, cell] of [['fresh: print(1)', CELLS.print], ['fresh: import pandas', CELLS.pandas]] as const) {
      const row: Row = { name, sandbox: [], floor: [] };
      for (let j = 0; j < FRESH; j++) {
        row.floor.push((await floorFresh(cell)).first);
        const pool = new SessionPool({ ...cfg, prestart: false }, { now: Date.now, log: quiet });
        await pool.start();
        row.sandbox.push((await sandboxExec(pool, `fresh-${keySeq++}`, cell)).first);
        await pool.close();
      }
      fresh.push(row);
      log(`  ${name}: sandbox p50 ${ms(pct(row.sandbox, 50))} ms, floor p50 ${ms(pct(row.floor, 50))} ms`);
    }
    // A new thread when a sandbox was started ahead (prestart, the default once code_interpreter is in use).
    const ahead: Row = { name: 'fresh, started ahead: print(1)', sandbox: [], floor: [] };
    const aheadPool = new SessionPool({ ...cfg, maxSessions: FRESH + 2 }, { now: Date.now, log: quiet });
    await aheadPool.start();
    await sandboxExec(aheadPool, `ahead-warmup-${keySeq++}`, CELLS.print);
    for (let j = 0; j < FRESH; j++) {
      ahead.floor.push((await floorFresh(CELLS.print)).first);
      await new Promise((r) => setTimeout(r, 300)); // the next spare starts meanwhile, as between two threads' first calls
      ahead.sandbox.push((await sandboxExec(aheadPool, `ahead-${keySeq++}`, CELLS.print)).first);
    }
    await aheadPool.close();
    fresh.push(ahead);
    log(`  ${ahead.name}: sandbox p50 ${ms(pct(ahead.sandbox, 50))} ms, floor p50 ${ms(pct(ahead.floor, 50))} ms`);
    await freshPool.close();
    const warmPool = new SessionPool(cfg, { now: Date.now, log: quiet });
    await warmPool.start();
    const warm = await warmRound(warmPool);
    for (const r of warm) log(`  ${r.name}: sandbox p50 ${ms(pct(r.sandbox, 50))} ms (${r.sandboxRate?.toFixed(0)}/s), floor p50 ${ms(pct(r.floor, 50))} ms (${r.floorRate?.toFixed(0)}/s)`);
    await warmPool.close();
    rounds.push([...fresh, ...warm]);
  }
  const block = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${commit}, ${os.cpus().length} cores, ` +
      `${ROUNDS} interleaved round(s), median round shown; ${FRESH} fresh sessions and ${WARM} warm calls per kind and round. ` +
      'Command: `node --import tsx bench/code-interpreter.bench.ts`.',
    '',
    table(rounds),
    '',
    'Fresh rows time a new session from the call to its first output byte (bubblewrap, Python start, runner, the cell); ' +
      'the floor is `python3 -u -c <cell>` to its first stdout byte. Warm rows time whole calls on a live session, one ' +
      'after another; the floor is a python3 loop exec\'ing cells read from a pipe.',
  ].join('\n');
  process.stdout.write(block + '\n');
  if (WRITE) {
    writeBenchmarkBlock({ id: 'code-interpreter-bench', generatedBy: 'bench/code-interpreter.bench.ts', heading: HEADING, block });
    log(`BENCHMARKS.md updated (${HEADING})`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
