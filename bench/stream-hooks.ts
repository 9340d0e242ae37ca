/**
 * In-process measure of what rate limits + metrics cost one streamed chat completion (issue 14): one Switchboard
 * (SQLite) over the fake upstream, two keys: tenant A's project has a never-reached limit on the model and
 * metrics are switched on for its batches; tenant B has no limit and metrics off. Batches alternate (ABBA), CPU µs
 * per request from process.cpuUsage (the fake upstream and the client share the process, equally on both sides).
 *
 *   node --import tsx bench/stream-hooks.ts [requests per batch (500)] [batches (8)]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/stream-hooks.ts
 */
import { Pool } from 'undici';
import { hashKey } from '../src/config.js';
import { metrics } from '../src/telemetry/metrics.js';
import { startFakeUpstream } from '../test/fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS } from '../test/support/create-test-app.js';
import { median } from './support/stats.js';

const PER_BATCH = Number(process.argv[2] ?? 500);
const BATCHES = Number(process.argv[3] ?? 8);
const ADMIN = 'sk-admin-stream-hooks-0001';
const PROJECT = 'key_' + hashKey(TEST_KEYS[0]).slice(0, 16);
const BODY = JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'What is the capital of France?' }], stream: true });
const NEVER = { max_requests_per_1_minute: 1e9, max_tokens_per_1_minute: 1e12, max_requests_per_1_day: 1e12 };

const fake = await startFakeUpstream({ record: false });
const app = await createTestApp({ env: { SWITCHBOARD_ADMIN_KEY: ADMIN, SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_METRICS: 'on' } });
const set = await fetch(`${app.baseURL}/organization/projects/${PROJECT}/rate_limits/rl-fake-model`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
  body: JSON.stringify(NEVER),
});
if (set.status !== 200) throw new Error(`setting the limit: ${set.status} ${await set.text()}`);
const pool = new Pool(app.url, { connections: 4 });

async function one(key: string, expectLimit: boolean): Promise<void> {
  const res = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: BODY });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes('[DONE]')) throw new Error(`answer ${res.statusCode}: ${text.slice(0, 200)}`);
  if (expectLimit !== (res.headers['x-ratelimit-limit-requests'] !== undefined)) throw new Error('limit headers not as expected');
}

async function batch(limited: boolean): Promise<number> {
  metrics.configure({ enabled: limited });
  const key = limited ? TEST_KEYS[0] : TEST_KEYS[1];
  const t0 = process.cpuUsage();
  for (let i = 0; i < PER_BATCH; i += 4) await Promise.all([one(key, limited), one(key, limited), one(key, limited), one(key, limited)]);
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / PER_BATCH;
}

const ONLY = process.argv[4];
if (ONLY) {
  // One side only (for a CPU profile of it): node --cpu-prof … bench/stream-hooks.ts 1000 8 on|off
  const times: number[] = [];
  for (let i = 0; i < BATCHES; i++) times.push(await batch(ONLY === 'on'));
  console.log(`${ONLY}: CPU µs per streamed request ${times.map((v) => v.toFixed(0)).join(' ')}; requests ${PER_BATCH * BATCHES}`);
  process.exit(0);
}
await batch(true);
await batch(false);
const on: number[] = [];
const off: number[] = [];
for (let i = 0; i < BATCHES; i++) {
  if (i % 2 === 0) {
    off.push(await batch(false));
    on.push(await batch(true));
  } else {
    on.push(await batch(true));
    off.push(await batch(false));
  }
}
const ratio = on.map((v, i) => v / off[i]! - 1);
console.log(`CPU µs per streamed request (whole process): off ${off.map((v) => v.toFixed(0)).join(' ')}; on ${on.map((v) => v.toFixed(0)).join(' ')}`);
console.log(`median off ${median(off).toFixed(1)} on ${median(on).toFixed(1)}, paired median ${(median(ratio) * 100).toFixed(1)} %, diff ${(median(on) - median(off)).toFixed(1)} µs`);
await pool.close();
await app.close();
await fake.close();
