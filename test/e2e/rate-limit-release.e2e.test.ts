import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { hashKey } from '../../src/config.js';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { testClock } from '../support/test-clock.js';
import { until, waitFor } from '../support/until.js';

const ADMIN = 'sk-admin-rate-limit-release-0001';
const PROJECT = 'key_' + hashKey(TEST_KEYS[0]).slice(0, 16);
const CHAT = '/v1/chat/completions';
const MODEL = 'gpt-4o';
const TPM = 100_000;
/** ~60 tokens reserved per call: a leaked or doubly released reservation moves the window by that much. */
const messages = [{ role: 'user' as const, content: 'word '.repeat(40) }];

/**
 * Each model call reserves its estimated tokens before it goes upstream and must give them back exactly once, however
 * it ends: the minute's token window then holds exactly the tokens its usage recorded (one model, counted across the
 * cases, so a release made twice late in one case shows in the next).
 */
for (const dialect of testDialects()) {
  describe(`rate limit token reservations (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    const clock = testClock();
    /** Tokens the usage recorded for MODEL (prompt + completion), as the limiter settles them. */
    let used = 0;

    /** The window's count, read through an admission that reserves nothing. */
    async function windowTokens(): Promise<number> {
      const admission = await app.server.deps.limits.admit({ tenantId: PROJECT, model: MODEL, tokens: 0 });
      return TPM - Number(admission?.headers['x-ratelimit-remaining-tokens']);
    }
    /** Waits until the window holds what the usage says (releases and settles may land just after the answer). */
    async function settled(what: string): Promise<void> {
      const tokens = await until(windowTokens, (n) => n === used, 10_000);
      assert.equal(tokens, used, `${what}: the token window holds the recorded usage, no reservation left or given back twice`);
    }

    before(async () => {
      // At the start of a minute, so no window rolls over during the suite.
      clock.advance(61_000 - (clock.now() % 60_000));
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_ADMIN_KEY: ADMIN, SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { clock } });
      const admin = new OpenAI({ apiKey: null, adminAPIKey: ADMIN, baseURL: app.baseURL, maxRetries: 0 });
      await admin.admin.organization.projects.rateLimits.updateRateLimit(`rl-${MODEL}`, { project_id: PROJECT, max_tokens_per_1_minute: TPM });
      app.server.deps.usage.observe((e) => {
        if (e.tenantId === PROJECT && e.model === MODEL) used += e.inputTokens + e.outputTokens;
      });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should reserve the estimated tokens while the call is under way', async () => {
      const handle = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle });
      const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages, stream: true }).withResponse();
      const reserved = TPM - Number(response.headers.get('x-ratelimit-remaining-tokens'));
      assert.ok(reserved > 50, `reserved ${reserved}`);
      assert.equal(await windowTokens(), reserved);
      handle.write(chatChunks({ usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 } }).at(-1));
      handle.end();
      for await (const _ of stream);
      await settled('a stream that ended');
      assert.equal(used, 17);
    });

    it('should give the reservation back once for an answer', async () => {
      await client.chat.completions.create({ model: MODEL, messages });
      await settled('an answer');
      assert.equal(used, 34);
    });

    it('should give it back once for a stream the client leaves mid-way', async () => {
      const handle = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle });
      const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true });
      handle.write(chatChunks({ content: 'Hello there' })[0]);
      for await (const _ of stream) break;
      await handle.aborted;
      await settled('a stream the client left');
    });

    it('should give it back once for a call whose client goes away before the answer', async () => {
      const sent = fake.calls.length;
      fake.enqueue(CHAT, { type: 'hang' });
      const ac = new AbortController();
      const answer = client.chat.completions.create({ model: MODEL, messages }, { signal: ac.signal });
      await waitFor(() => fake.calls.length > sent, 'the call upstream');
      ac.abort();
      await assert.rejects(answer, OpenAI.APIUserAbortError);
      await settled('a call whose client went away');
    });

    it('should give it back once for an upstream 5xx', async () => {
      fake.enqueue(CHAT, { type: 'error', status: 503 });
      await assert.rejects(client.chat.completions.create({ model: MODEL, messages }), (err: unknown) => err instanceof OpenAI.APIError && err.status === 502);
      await settled('an upstream 5xx');
    });

    it('should give it back once for a 400 from validation after admission', async () => {
      const sent = fake.calls.length;
      await assert.rejects(client.chat.completions.create({ model: MODEL, messages, temperature: 7 }), OpenAI.BadRequestError);
      assert.equal(fake.calls.length, sent);
      await settled('a 400');
    });

    it('should give it back once for a response, streamed or not', async () => {
      const before = used;
      const input = messages[0]!.content;
      assert.equal((await client.responses.create({ model: MODEL, input })).status, 'completed');
      await settled('a response');
      for await (const _ of await client.responses.create({ model: MODEL, input, stream: true }));
      await settled('a streamed response');
      assert.equal(used, before + 34);
    });

    it("should count a run's calls by their usage, reserving nothing at create", async () => {
      const before = used;
      const assistant = await client.beta.assistants.create({ model: MODEL });
      const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages } });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      await settled('a run');
      assert.equal(used, before + 17);
    });
  });
}
