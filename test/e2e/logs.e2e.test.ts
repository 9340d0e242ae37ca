import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks, chatCompletion, errorBody } from '../fakes/chunks.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { runServerExpectingFailure, spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { waitFor } from '../support/until.js';

const CHAT = '/v1/chat/completions';
const question = [{ role: 'user' as const, content: 'hi' }];

/** Every log line, as written (JSON text), that mentions `text`, and how often. */
const mentions = (server: SpawnedServer, text: string) => {
  const lines = server.logs.map((l) => JSON.stringify(l)).filter((l) => l.includes(text));
  return { lines: lines.length, times: lines.reduce((n, l) => n + l.split(text).length - 1, 0) };
};
const completedLines = (server: SpawnedServer, reqId: string) => server.logs.filter((l) => l.msg === 'request completed' && l.reqId === reqId);

/** The API error a call rejects with. */
async function rejection(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpenAI.APIError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function stopServer(server: SpawnedServer): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

for (const dialect of testDialects()) {
  describe(`logs people can read (${dialect})`, () => {
    let fake: FakeUpstream;
    let db: { url: string; drop(): Promise<void> };
    let dir: string;
    let server: SpawnedServer;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      db = await createTestDatabaseUrl(dialect);
      dir = mkdtempSync(join(tmpdir(), 'sb-logs-'));
      server = await spawnServer({ SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DATABASE_URL: db.url });
      client = new OpenAI({ apiKey: 'none', baseURL: server.baseURL, maxRetries: 0 });
    });
    after(async () => {
      await stopServer(server);
      await db.drop();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('should say method, route pattern, status, duration, model and tenant on the request completed line', async () => {
      fake.enqueue(CHAT, { type: 'json', body: chatCompletion() });
      const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: question }).withResponse();
      const reqId = response.headers.get('x-request-id')!;
      await waitFor(() => completedLines(server, reqId).length > 0, 'the request completed line');
      const { method, route, statusCode, ms, model, tenant } = completedLines(server, reqId)[0]!;
      assert.deepEqual({ method, route, statusCode, model, tenant }, { method: 'POST', route: '/v1/chat/completions', statusCode: 200, model: 'gpt-4o', tenant: 'default' });
      assert.equal(typeof ms, 'number');
    });

    it('should name the route pattern of a 404, and no model when the request had no body', async () => {
      const err = await rejection(client.beta.threads.retrieve('thread_nope'));
      await waitFor(() => completedLines(server, err.requestID!).length > 0, 'the request completed line');
      const line = completedLines(server, err.requestID!)[0]!;
      assert.deepEqual([line.method, line.route, line.statusCode, line.model], ['GET', '/v1/threads/:thread_id', 404, undefined]);
    });

    it('should write one request completed line for a streamed answer', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Paris.' }) });
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: question, stream: true }).withResponse();
      for await (const _ of data);
      const reqId = response.headers.get('x-request-id')!;
      await waitFor(() => completedLines(server, reqId).length > 0, 'the request completed line');
      // A later request's line shows the streamed one's lines are all out.
      await client.models.list();
      await waitFor(() => server.logs.filter((l) => l.msg === 'request completed' && l.route === '/v1/models').length > 0, 'a later line');
      assert.equal(completedLines(server, reqId).length, 1);
      assert.equal(completedLines(server, reqId)[0]!.stream, true);
    });

    it("should say a failing upstream's error text once for a chat completion", async () => {
      fake.enqueue(CHAT, { type: 'error', status: 500, body: errorBody('CHAT-UPSTREAM-BOOM', 'server_error') });
      const err = await rejection(client.chat.completions.create({ model: 'gpt-4o', messages: question }));
      assert.equal(err.status, 502);
      await waitFor(() => completedLines(server, err.requestID!).length > 0, 'the request completed line');
      assert.deepEqual(mentions(server, 'CHAT-UPSTREAM-BOOM'), { lines: 1, times: 1 });
    });

    it("should say a failing upstream's error text once for a run", async () => {
      fake.enqueue(CHAT, { type: 'error', status: 500, body: errorBody('RUN-UPSTREAM-BOOM', 'server_error') });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: question } });
      assert.equal(run.status, 'failed');
      await waitFor(() => mentions(server, 'RUN-UPSTREAM-BOOM').lines > 0, 'the failure in the log');
      assert.deepEqual(mentions(server, 'RUN-UPSTREAM-BOOM'), { lines: 1, times: 1 });
    });
  });
}

describe('the log format', () => {
  let fake: FakeUpstream;
  let dir: string;
  before(async () => {
    fake = await startFakeUpstream();
    dir = mkdtempSync(join(tmpdir(), 'sb-log-format-'));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The text lines (not JSON) the server wrote for a models.list() call, and the JSON ones, in that format. */
  async function linesOfOneCall(env: Record<string, string>): Promise<{ text: string[]; json: Array<Record<string, unknown>> }> {
    const server = await spawnServer({ SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_DATA_DIR: dir, ...env });
    try {
      await new OpenAI({ apiKey: 'none', baseURL: server.baseURL, maxRetries: 0 }).models.list();
      await waitFor(() => server.logs.some((l) => String(l.text ?? l.msg).includes('request completed')), 'the request completed line');
      return {
        text: server.logs.flatMap((l) => (typeof l.text === 'string' ? [l.text] : [])),
        json: server.logs.filter((l) => l.text === undefined),
      };
    } finally {
      await stopServer(server);
    }
  }

  it('should write readable lines, no JSON, with SWITCHBOARD_LOG_FORMAT=pretty', async () => {
    // A model routed without a price: its start warning has an array field, whose items a pretty line shows one a line.
    const yaml = join(dir, 'pretty.yaml');
    writeFileSync(yaml, `models:\n  unpriced-model: { provider: p }\nproviders:\n  p: { base_url: "${fake.url}" }\n`);
    const { text, json } = await linesOfOneCall({ SWITCHBOARD_LOG_FORMAT: 'pretty', SWITCHBOARD_DATABASE_URL: join(dir, 'pretty.db'), SWITCHBOARD_CONFIG: yaml });
    assert.ok(text.some((l) => /^\s+"unpriced-model"$/.test(l)), text.join('\n'));
    assert.deepEqual(json, []);
    const completed = text.filter((l) => l.includes('request completed'));
    assert.equal(completed.length, 1, text.join('\n'));
    assert.match(completed[0]!, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO( \(\d+\))?: request completed$/);
    assert.ok(text.some((l) => /^\s+method: "GET"$/.test(l)), text.join('\n'));
  });

  it('should stay JSON under a pipe by default', async () => {
    const { text, json } = await linesOfOneCall({ SWITCHBOARD_DATABASE_URL: join(dir, 'json.db') });
    assert.deepEqual(text, []);
    assert.equal(json.filter((l) => l.msg === 'request completed' && l.method === 'GET').length, 1);
  });
});

describe('upstream problems at start', () => {
  it('should say in one line, without a stack, that an upstream URL lacks /v1', async () => {
    const fake = await startFakeUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'sb-logs-'));
    const base = fake.url.replace(/\/v1$/, '');
    const server = await spawnServer({ SWITCHBOARD_UPSTREAM_URL: base, SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DATABASE_URL: join(dir, 'db') });
    try {
      await waitFor(() => mentions(server, 'does not end in /v1').lines > 0, 'the /v1 line');
      const lines = server.logs.filter((l) => String(l.msg).includes('/v1') && l.provider === 'default');
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.equal(lines[0]!.msg, `upstream 'default': base_url ${base} does not end in /v1, where OpenAI-compatible servers answer (${base}/v1/chat/completions); set it to ${base}/v1`);
      assert.doesNotMatch(JSON.stringify(server.logs), /\\n\s+at /);
    } finally {
      await stopServer(server);
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should say in one line, without a stack, that an upstream is unreachable, and keep serving', async () => {
    const fake = await startFakeUpstream();
    const url = fake.url;
    await fake.close();
    const dir = mkdtempSync(join(tmpdir(), 'sb-logs-'));
    const server = await spawnServer({ SWITCHBOARD_UPSTREAM_URL: url, SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DATABASE_URL: join(dir, 'db') });
    try {
      await waitFor(() => mentions(server, 'is unreachable').lines > 0, 'the unreachable line');
      const lines = server.logs.filter((l) => l.provider === 'default');
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.equal(lines[0]!.level, 40);
      assert.match(String(lines[0]!.msg), new RegExp(`^upstream 'default' at ${url} is unreachable \\(ECONNREFUSED\\)`));
      assert.equal((await fetch(server.baseURL.replace(/\/v1$/, '/health'))).status, 200);
    } finally {
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should say in one line on stderr, without a stack, that the database cannot be reached, and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-logs-'));
    try {
      const { code, stderr } = await runServerExpectingFailure({
        SWITCHBOARD_DATA_DIR: dir,
        SWITCHBOARD_DATABASE_URL: 'postgres://switchboard:secret@127.0.0.1:9/switchboard',
        SWITCHBOARD_LOG_LEVEL: 'silent',
      });
      assert.equal(code, 1);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^switchboard: cannot reach the database: connect ECONNREFUSED 127\.0\.0\.1:9$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
