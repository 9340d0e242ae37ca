/**
 * The rate limiter's cost inside one Switchboard (issue 14): two project keys on the same process, one whose
 * project has a never-reached limit on the bench model (every window: requests per minute and day, tokens per
 * minute, so each call is counted and answers with the six x-ratelimit-* headers) and one without, loaded in
 * alternating max-load slices. Both kinds of request run on the same compiled code, so the process-to-process
 * spread that limits the gateway bench's verdict (two starts of the same code differ by up to ~10 % in CPU per
 * request) drops out; what is left is the cost of the limited path itself, the effect of its extra work on the
 * caches included. Metrics are process-wide, so they are on for both sides or for neither (LIMITS_AB_METRICS).
 *
 *   node --import tsx bench/limits-in-process.ts [--help]
 *
 * Env (defaults): LIMITS_AB_ROUNDS (3) processes, one after another; LIMITS_AB_SLICES (6) slices per side per
 * process; LIMITS_AB_SLICE_MS (2000); LIMITS_AB_METRICS (0; 1: metrics on, /metrics scraped once a second). With
 * taskset, the Switchboard gets the last core and the load generator and the fake upstream the others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { NEVER_REACHED } from './support/limits-cost.js';
import { freePort } from './support/pg-cluster.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { configuredKeyId, hashKey } from '../src/config/keys.js';
import { pinPair } from './support/pin.js';
import { encodeRequest, RawConnection } from './support/raw-http.js';
import { cpuNs } from './support/slice-load.js';
import { median } from './support/stats.js';

if (process.argv.includes('--help')) {
  process.stdout.write(
    'usage: node --import tsx bench/limits-in-process.ts\n' +
      '  the rate limiter\'s CPU per request inside one Switchboard: a limited key against an unlimited one\n' +
      '  env: LIMITS_AB_ROUNDS (3), LIMITS_AB_SLICES (6), LIMITS_AB_SLICE_MS (2000), LIMITS_AB_METRICS (0)\n',
  );
  process.exit(0);
}

const envInt = (name: string, fallback: number): number => {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};
const ROUNDS = envInt('LIMITS_AB_ROUNDS', 3);
const SLICES = envInt('LIMITS_AB_SLICES', 6);
const SLICE_MS = envInt('LIMITS_AB_SLICE_MS', 2000);
const METRICS = process.env.LIMITS_AB_METRICS === '1';
const CONNECTIONS = 50;
const WARMUP_SLICES = 4;

const LIMITED_KEY = 'sk-bench-limited';
const FREE_KEY = 'sk-bench-free';
const ADMIN_KEY = 'sk-admin-bench-0123456789';
const BODY = JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] });
const TMP = mkdtempSync(join(tmpdir(), 'switchboard-limits-ab-'));

const log = (msg: string): void => void process.stderr.write(`[limits-in-process] ${msg}\n`);
const fmt = (n: number, digits = 1): string => n.toFixed(digits);

const children: ChildProcess[] = [];
function startChild(script: string, env: Record<string, string>): { proc: ChildProcess; lines: string[] } {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  const lines: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => lines.push(l));
  return { proc, lines };
}
async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  await exited;
}
async function until<T>(what: string, get: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await get();
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** Max load for `ms` on every connection; the answered requests. */
async function slice(conns: RawConnection[], request: Buffer, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let answered = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < end) if ((await c.send(request).catch(() => 0)) === 200) answered++;
    }),
  );
  return answered;
}

interface Round {
  limited: number[];
  free: number[];
}

async function oneRound(r: number, upstreamOrigin: string, upstreamPid: number): Promise<Round> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const sb = startChild('src/main.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    SWITCHBOARD_UPSTREAM_URL: `${upstreamOrigin}/v1`,
    SWITCHBOARD_API_KEYS: `${LIMITED_KEY},${FREE_KEY}`,
    SWITCHBOARD_ADMIN_KEY: ADMIN_KEY,
    SWITCHBOARD_DATABASE_URL: join(TMP, `round-${r}.db`),
    SWITCHBOARD_LOG_LEVEL: 'warn',
    SWITCHBOARD_METRICS: METRICS ? 'on' : 'off',
  });
  await until('switchboard /health', async () => ((await fetch(`${origin}/health`).catch(() => undefined))?.ok ? true : undefined));
  const project = configuredKeyId(hashKey(LIMITED_KEY));
  const set = await fetch(`${origin}/v1/organization/projects/${project}/rate_limits/rl-fake-model`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify(NEVER_REACHED),
  });
  if (set.status !== 200) throw new Error(`setting the rate limit answered ${set.status}: ${await set.text()}`);
  const request = (key: string) => encodeRequest({ host: '127.0.0.1', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: BODY });
  const limited = request(LIMITED_KEY);
  const free = request(FREE_KEY);
  const check = await fetch(`${origin}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${LIMITED_KEY}` }, body: BODY });
  await check.arrayBuffer();
  if (!check.headers.get('x-ratelimit-limit-requests')) throw new Error('the limited key came back without x-ratelimit-* headers');

  const pid = sb.proc.pid ?? 0;
  const pin = pinPair([pid], [process.pid, upstreamPid]);
  const scrape = METRICS
    ? setInterval(() => void fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } }).then((res) => res.arrayBuffer(), () => undefined), 1000)
    : undefined;
  const conns = Array.from({ length: CONNECTIONS }, () => new RawConnection('127.0.0.1', port));
  const out: Round = { limited: [], free: [] };
  try {
    for (let i = 0; i < WARMUP_SLICES; i++) await slice(conns, i % 2 === 0 ? limited : free, SLICE_MS);
    for (let i = 0; i < 2 * SLICES; i++) {
      const side = i % 2 === 0 ? 'limited' : 'free';
      const cpu0 = cpuNs(pid);
      const answered = await slice(conns, side === 'limited' ? limited : free, SLICE_MS);
      out[side].push((cpuNs(pid) - cpu0) / 1000 / Math.max(1, answered));
    }
  } finally {
    clearInterval(scrape);
    for (const c of conns) c.close();
    pin.undo();
    await stop(sb.proc);
  }
  return out;
}

const up = startChild('bench/fake-upstream-server.ts', {});
try {
  const upPort = await until('upstream PORT line', () => up.lines.map((l) => /^PORT=(\d+)$/.exec(l.trim())?.[1]).find(Boolean));
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    log(`round ${r + 1}/${ROUNDS}: a fresh Switchboard, ${WARMUP_SLICES} warm-up slices, then ${SLICES} slices a side`);
    const round = await oneRound(r, `http://127.0.0.1:${upPort}`, up.proc.pid ?? 0);
    rounds.push(round);
    const [l, f] = [median(round.limited), median(round.free)];
    log(`round ${r + 1}: limited ${fmt(l)} µs/request, unlimited ${fmt(f)}: +${fmt(l - f, 2)} µs (${fmt(((l - f) / f) * 100)} %)`);
  }
  const more = rounds.map((r) => median(r.limited) - median(r.free));
  const rel = rounds.map((r) => (median(r.limited) - median(r.free)) / median(r.free));
  process.stdout.write(
    `\nRate limiter inside one Switchboard (metrics ${METRICS ? 'on' : 'off'}), ${ROUNDS} process(es), ${SLICES} slices of ${SLICE_MS} ms a side each:\n` +
      `- CPU per request more for the limited key: median +${fmt(median(more), 2)} µs (${fmt(median(rel) * 100)} %); per process ${more.map((m) => `+${fmt(m, 2)}`).join(', ')} µs\n` +
      `- CPU µs per request, limited / unlimited, per process: ${rounds.map((r) => `${fmt(median(r.limited))} / ${fmt(median(r.free))}`).join('; ')}\n`,
  );
} finally {
  await Promise.all(children.map(stop));
  rmSync(TMP, { recursive: true, force: true });
}
