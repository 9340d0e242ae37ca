import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { runServerExpectingFailure, spawnServer } from '../support/spawn-server.js';

const question = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe('the server process', () => {
  let fake: FakeUpstream;
  let dir: string;
  before(async () => {
    fake = await startFakeUpstream();
    dir = mkdtempSync(join(tmpdir(), 'sb-proc-'));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should finish an in-flight stream on SIGTERM, then exit 0', async () => {
    const server = await spawnServer({
      SWITCHBOARD_UPSTREAM_URL: fake.url,
      SWITCHBOARD_API_KEYS: 'sk-proc-test-key',
      SWITCHBOARD_DATABASE_URL: join(dir, 'graceful.db'),
    });
    try {
      const handle = controlledStream();
      fake.enqueue('/v1/chat/completions', { type: 'controlled', handle });
      const client = new OpenAI({ apiKey: 'sk-proc-test-key', baseURL: server.baseURL, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm', messages: question, stream: true });
      const chunks = chatChunks({ content: ['Par', 'is', '.'] });
      handle.write(chunks[0]);
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();

      server.child.kill('SIGTERM');
      for (const c of chunks.slice(1)) handle.write(c);
      handle.end();
      let text = '';
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) text += r.value.choices[0]?.delta.content ?? '';
      assert.equal(text, 'Paris.');
      assert.deepEqual(await server.exited, { code: 0, signal: null });
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('should tag every request log line with the request id', async () => {
    const server = await spawnServer({
      SWITCHBOARD_UPSTREAM_URL: fake.url,
      SWITCHBOARD_API_KEYS: 'sk-proc-test-key',
      SWITCHBOARD_DATABASE_URL: join(dir, 'logs.db'),
    });
    try {
      const client = new OpenAI({ apiKey: 'sk-proc-test-key', baseURL: server.baseURL, maxRetries: 0 });
      const { response } = await client.chat.completions.create({ model: 'm', messages: question }).withResponse();
      const id = response.headers.get('x-request-id');
      server.child.kill('SIGTERM');
      await server.exited;
      const line = server.logs.find((l) => l.msg === 'request completed' && l.reqId === id);
      assert.ok(line, 'a request completed line with the request id');
      assert.equal(line.statusCode, 200);
      assert.ok(!JSON.stringify(server.logs).includes('sk-proc-test-key'), 'the key never reaches the log');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('should refuse a bad PORT with a message that names it', async () => {
    const { code, stderr } = await runServerExpectingFailure({ PORT: 'eighty', SWITCHBOARD_DATABASE_URL: join(dir, 'x.db') });
    assert.equal(code, 1);
    assert.match(stderr, /PORT/);
  });

  it('should refuse open mode on a non-loopback address', async () => {
    const { code, stderr } = await runServerExpectingFailure({ HOST: '0.0.0.0', SWITCHBOARD_DATABASE_URL: join(dir, 'y.db') });
    assert.equal(code, 1);
    assert.match(stderr, /HOST: refusing to listen on 0\.0\.0\.0 with no API keys/);
  });
});
