import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createLogger } from '../../src/logger.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { parsePrometheus, sampleValue } from '../support/prometheus.js';
import { until, waitFor } from '../support/until.js';

// A client that leaves before its answer is complete (issue 14: one readable line per request, item 6; request
// counts by route and status, item 4): its request still ends with one `request completed` line, status 499, and
// one count in http_server_request_duration; never none, never two.

const CHAT = '/v1/chat/completions';
const COUNT = 'http_server_request_duration_seconds_count';
const MODEL_CALLS = 'gen_ai_client_operation_duration_seconds_count';
const question = [{ role: 'user' as const, content: 'hi' }];
// Priced: a model without a price is warned about once, which is not what these tests look for.
const PRICES = `
prices:
  gpt-4o: { input: 2, output: 10 }
  gpt-4o-mini: { input: 0.15, output: 0.6 }
`;

interface Line {
  level: number;
  msg?: string;
  reqId?: string;
  statusCode?: number;
  route?: string;
  stream?: boolean;
}

/** Every line the server logs at level info and above (pino's JSON lines). */
function captured() {
  const lines: Line[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  return { log, lines };
}

for (const dialect of testDialects()) {
  describe(`the request completed line of a client that leaves (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    const logged = captured();
    let n = 0;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, yaml: PRICES, log: logged.log });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => {
      fake.reset();
      logged.lines.length = 0;
    });

    /** A request id of our own (the server takes the client's `x-request-id`): an aborted call never sees the server's. */
    const nextId = (what: string) => `req_leave_${what}_${++n}`;
    const completedLines = (reqId: string) => logged.lines.filter((l) => l.msg === 'request completed' && l.reqId === reqId);

    /** POST requests to `route` counted in /metrics (all of them, those that ended 499), and model calls by error.type. */
    async function counted(route: string): Promise<{ all: number; left: number; calls: Record<string, number> }> {
      const samples = parsePrometheus(await (await fetch(`${app.url}/metrics`)).text());
      const labels = { http_request_method: 'POST', http_route: route };
      const calls: Record<string, number> = {};
      for (const s of samples) if (s.name === MODEL_CALLS) calls[s.labels.error_type!] = (calls[s.labels.error_type!] ?? 0) + s.value;
      return { all: sampleValue(samples, COUNT, labels), left: sampleValue(samples, COUNT, { ...labels, http_response_status_code: '499' }), calls };
    }

    /** How many more model calls ended with each error.type (those that did). */
    const moreCalls = (now: Record<string, number>, before: Record<string, number>) =>
      Object.fromEntries(Object.entries(now).flatMap(([type, n]) => (n > (before[type] ?? 0) ? [[type, n - (before[type] ?? 0)]] : [])));

    /**
     * Waits for the left request's line, its model call's end, then a later request's line (what the left one logs
     * is out by then), and returns its lines and how /metrics counted it.
     */
    async function endOf(reqId: string, route: string, before: Awaited<ReturnType<typeof counted>>) {
      await waitFor(() => completedLines(reqId).length > 0, 'the request completed line');
      await until(() => counted(route), (c) => Object.keys(moreCalls(c.calls, before.calls)).length > 0);
      const later = nextId('later');
      await client.models.list({ headers: { 'x-request-id': later } });
      await waitFor(() => completedLines(later).length > 0, "a later request's line");
      const now = await counted(route);
      // Its only line: nothing else about it, and no warning or error of any request (a client leaving is no fault).
      const others = logged.lines.filter((l) => (l.reqId === reqId && l.msg !== 'request completed') || l.level >= 40).map((l) => l.msg);
      return { lines: completedLines(reqId), others, all: now.all - before.all, left: now.left - before.left, calls: moreCalls(now.calls, before.calls) };
    }

    /** The left request has one line (`fields` of it as `expected`), one count (499), nothing else, and its model call ended `call`. */
    function leftOnce(end: Awaited<ReturnType<typeof endOf>>, fields: (l: (typeof end.lines)[number]) => unknown[], expected: unknown[], call: string): void {
      assert.deepEqual(end.lines.map(fields), [expected]);
      assert.deepEqual([end.all, end.left], [1, 1]);
      assert.deepEqual(end.others, []);
      assert.deepEqual(end.calls, { [call]: 1 }, 'its model call, by error.type');
    }

    it('should write one line, 499, and count it once, for a chat completion whose client leaves while the upstream thinks', async () => {
      fake.enqueue(CHAT, { type: 'hang' });
      const before = await counted(CHAT);
      const reqId = nextId('json');
      const abort = new AbortController();
      const call = client.chat.completions.create({ model: 'gpt-4o', messages: question }, { signal: abort.signal, headers: { 'x-request-id': reqId } });
      await waitFor(() => fake.calls.some((c) => c.path === CHAT), 'the upstream call');
      abort.abort();
      await assert.rejects(call, OpenAI.APIUserAbortError);
      const end = await endOf(reqId, CHAT, before);
      leftOnce(end, (l) => [l.statusCode, l.route, l.level], [499, CHAT, 30], 'cancelled');
    });

    it('should write one line, 499 with stream: true, and count it once, for a chat stream its client leaves midway', async () => {
      const upstream = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle: upstream });
      const before = await counted(CHAT);
      const reqId = nextId('stream');
      const abort = new AbortController();
      const [role, first, second] = chatChunks({ content: ['Once upon', ' a time'] });
      const stream = await client.chat.completions.create(
        { model: 'gpt-4o', messages: question, stream: true },
        { signal: abort.signal, headers: { 'x-request-id': reqId } },
      );
      upstream.write(role);
      upstream.write(first);
      for await (const _chunk of stream) break;
      abort.abort();
      // Until the client's leaving is noticed, the model goes on talking.
      await waitFor(() => (upstream.isAborted() ? true : (upstream.write(second), false)), 'the upstream call to be aborted');
      const end = await endOf(reqId, CHAT, before);
      leftOnce(end, (l) => [l.statusCode, l.stream], [499, true], 'cancelled');
    });

    it('should write one line, 499, and count it once, for a response whose client leaves before its run ends (the run goes on)', async () => {
      const upstream = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle: upstream });
      const before = await counted('/v1/responses');
      const reqId = nextId('response');
      const abort = new AbortController();
      const call = client.responses.create({ model: 'gpt-4o-mini', input: 'Think long' }, { signal: abort.signal, headers: { 'x-request-id': reqId } });
      await upstream.started;
      abort.abort();
      await assert.rejects(call, OpenAI.APIUserAbortError);
      await waitFor(() => completedLines(reqId).length > 0, 'the request completed line');
      // The run is not the client's to stop: it ends, and the handler that waited for it answers nobody.
      for (const chunk of chatChunks({ content: 'Done thinking.' })) upstream.write(chunk);
      upstream.end();
      const db = app.server.deps.store.db;
      const runStatus = async () => {
        const row = await db.selectFrom('responses').select('run_id').orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
        return row ? (await db.selectFrom('runs').select('status').where('id', '=', row.run_id).executeTakeFirst())?.status : undefined;
      };
      assert.equal(await until(runStatus, (s) => s === 'completed'), 'completed');
      const end = await endOf(reqId, '/v1/responses', before);
      leftOnce(end, (l) => [l.statusCode, l.route], [499, '/v1/responses'], '');
    });

    it('should write one line, 499 with stream: true, and count it once, for a response stream its client leaves', async () => {
      const upstream = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle: upstream });
      const before = await counted('/v1/responses');
      const reqId = nextId('response_stream');
      const abort = new AbortController();
      const stream = await client.responses.create(
        { model: 'gpt-4o-mini', input: 'Think long', stream: true, store: false },
        { signal: abort.signal, headers: { 'x-request-id': reqId } },
      );
      for await (const event of stream) if (event.type === 'response.in_progress') break;
      abort.abort();
      // store: false: the model call stops with the client.
      await upstream.started;
      await waitFor(() => upstream.isAborted(), 'the upstream call to be closed');
      const end = await endOf(reqId, '/v1/responses', before);
      leftOnce(end, (l) => [l.statusCode, l.stream], [499, true], 'cancelled');
    });
  });
}
