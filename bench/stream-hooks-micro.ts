/**
 * What rate limits + metrics do for one streamed chat completion, in-process, without HTTP: the limiter's admit
 * (cached limits on every window, in-process counters, OpenAI's six headers), their six setHeader calls on a
 * response, the release when it closes, the settle from the recorded usage, and the metrics' model call (first
 * token, duration), HTTP request and token hooks. CPU µs per request from process.cpuUsage over N iterations,
 * after a warm-up (issue 14: the streamed path's cost).
 *
 *   node --import tsx bench/stream-hooks-micro.ts [iterations (100000)]
 */
import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Db } from '../src/store/database.js';
import { MemoryCounters } from '../src/services/rate-limit-counters.js';
import { RateLimiter } from '../src/services/rate-limiter.js';
import { metrics } from '../src/telemetry/metrics.js';
import { ModelCall } from '../src/telemetry/model-call.js';
import { NEVER_REACHED } from './support/limits-cost.js';

const N = Number(process.argv[2] ?? 100_000);
const NEVER = { project_id: 'proj_a', model: 'fake-model', ...NEVER_REACHED };
const chain = { selectFrom: () => chain, selectAll: () => chain, where: () => chain, orderBy: () => chain, execute: async () => [NEVER] };
const limiter = new RateLimiter({ db: chain as unknown as Db, counters: new MemoryCounters(), clock: { now: () => Date.now() }, ttlMs: 1e12 });
await limiter.admit({ tenantId: 'proj_a', model: 'fake-model', tokens: 1 });
metrics.configure({ enabled: true });
const res = new ServerResponse(new IncomingMessage(new Socket()));

/** As the limits hook passes a chat request's size: a lazy estimate (src/api/middleware/rate-limited-routes.ts). */
const chatTokens = (n: number) => () => n;

function oneRequest(): void {
  const admission = limiter.admit({ tenantId: 'proj_a', model: 'fake-model', tokens: chatTokens(14) });
  if (!admission || admission instanceof Promise) throw new Error('expected a synchronous admission');
  for (const name in admission.headers) res.setHeader(name, admission.headers[name]!);
  const call = new ModelCall({ provider: 'default', model: 'fake-model', requestId: 'req-1' });
  call.firstToken();
  call.end({ usage: { input: 14, output: 9 } });
  limiter.settle({ tenantId: 'proj_a', model: 'fake-model', tokens: 23 });
  metrics.tokens({ operation: 'chat', model: 'fake-model', tenant: 'proj_a', input: 14, output: 9, costUsd: 0.0001 });
  metrics.httpRequest('POST', '/v1/chat/completions', 200, 3.2);
  admission.release();
}

const run = (n: number): number => {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) oneRequest();
  const d = process.cpuUsage(t0);
  return ((d.user + d.system) / n) * 1000;
};
run(N / 10);
const ns = [run(N), run(N), run(N)].sort((a, b) => a - b);
console.log(`limits + metrics hooks of one streamed request: ${(ns[1]! / 1000).toFixed(2)} µs CPU (median of 3 × ${N}; ${ns.map((v) => (v / 1000).toFixed(2)).join(', ')})`);
