import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

// A run's last_error says whose fault a failure was, by the same rule as the HTTP error: the
// upstream's rate limit, the caller's prompt (a 4xx the upstream blames on the request), or the
// server (5xx, timeouts, unreachable upstreams, local models that cannot run).

const CHAT = '/v1/chat/completions';

for (const dialect of testDialects()) {
  describe(`run failures (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    let dir: string;

    before(async () => {
      fake = await startFakeUpstream();
      dir = mkdtempSync(join(tmpdir(), 'sb-run-failures-'));
      app = await createTestApp({
        dialect,
        env: { SWITCHBOARD_LOCAL_MODEL: join(dir, 'no-such-model.gguf') },
        yaml: `providers:\n  up:\n    base_url: ${fake.url}\n    timeout_ms: 300\n`,
      });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => fake.reset());

    async function failedRun(model: string) {
      const assistant = await client.beta.assistants.create({ model });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'failed');
      assert.ok(run.last_error);
      return run.last_error;
    }

    it('should blame the server when the upstream answers 500 or 503', async () => {
      fake.enqueue(CHAT, { type: 'error', status: 500 }, { type: 'error', status: 503 });
      assert.equal((await failedRun('gpt-4o')).code, 'server_error');
      assert.equal((await failedRun('gpt-4o')).code, 'server_error');
    });

    it('should blame the server when the upstream does not answer in time', async () => {
      fake.enqueue(CHAT, { type: 'hang' });
      assert.equal((await failedRun('gpt-4o')).code, 'server_error');
    });

    it('should blame the server when the local model cannot be loaded', async () => {
      const lastError = await failedRun('no-such-model');
      assert.equal(lastError.code, 'server_error');
      assert.match(lastError.message, /switchboard pull/);
    });

    it('should say rate_limit_exceeded when the upstream answers 429', async () => {
      fake.enqueue(CHAT, { type: 'error', status: 429 });
      assert.equal((await failedRun('gpt-4o')).code, 'rate_limit_exceeded');
    });

    it("should blame the prompt when the upstream rejects the request with a 400", async () => {
      const body = {
        error: { message: "This model's maximum context length is 8 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' },
      };
      fake.enqueue(CHAT, { type: 'error', status: 400, body });
      const lastError = await failedRun('gpt-4o');
      assert.equal(lastError.code, 'invalid_prompt');
      assert.match(lastError.message, /maximum context length/);
    });
  });
}
