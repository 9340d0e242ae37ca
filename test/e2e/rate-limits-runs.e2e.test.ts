import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { hashKey } from '../../src/config.js';
import { chatChunks } from '../fakes/chunks.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { testClock } from '../support/test-clock.js';
import { until } from '../support/until.js';

const ADMIN = 'sk-admin-rate-limits-runs-0001';
const PROJECT = 'key_' + hashKey(TEST_KEYS[0]).slice(0, 16);
const CHAT = '/v1/chat/completions';

/** OpenAI's 429 for a create over a limit: RateLimitError, code rate_limit_exceeded, retry-after and the headers. */
async function refused(p: Promise<unknown>): Promise<Headers> {
  let headers: Headers | undefined;
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.status, 429);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.type, 'requests');
    assert.match(String(err.headers?.get('retry-after')), /^\d+$/);
    headers = err.headers;
    return true;
  });
  return headers!;
}

const trio = (h: Headers, kind: 'requests' | 'tokens') =>
  [h.get(`x-ratelimit-limit-${kind}`), h.get(`x-ratelimit-remaining-${kind}`), h.get(`x-ratelimit-reset-${kind}`)?.replace(/^\d+s$/, 'Ns')];

for (const dialect of testDialects()) {
  describe(`rate limits on responses and runs (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let admin: OpenAI;
    let client: OpenAI;
    const clock = testClock();
    const calls = (model: string) => fake.calls.filter((c) => c.path === CHAT && (c.body as { model?: string }).model === model).length;
    const limit = (model: string, limits: { max_requests_per_1_minute?: number; max_tokens_per_1_minute?: number }) =>
      admin.admin.organization.projects.rateLimits.updateRateLimit(`rl-${model}`, { project_id: PROJECT, ...limits });

    before(async () => {
      // At the start of a minute, so no window rolls over during the suite.
      clock.advance(61_000 - (clock.now() % 60_000));
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_ADMIN_KEY: ADMIN, SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { clock } });
      admin = new OpenAI({ apiKey: null, adminAPIKey: ADMIN, baseURL: app.baseURL, maxRetries: 0 });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should send both x-ratelimit trios on a response, streamed or not, counting it once', async () => {
      await limit('gpt-4o', { max_requests_per_1_minute: 2, max_tokens_per_1_minute: 100_000 });
      const { data, response } = await client.responses.create({ model: 'gpt-4o', input: 'hi' }).withResponse();
      assert.equal(data.status, 'completed');
      assert.deepEqual(trio(response.headers, 'requests'), ['2', '1', 'Ns']);
      assert.equal(response.headers.get('x-ratelimit-limit-tokens'), '100000');
      assert.match(String(response.headers.get('x-ratelimit-remaining-tokens')), /^\d+$/);
      const streamed = await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true }).withResponse();
      assert.deepEqual(trio(streamed.response.headers, 'requests'), ['2', '0', 'Ns']);
      for await (const _ of streamed.data);
      assert.equal(calls('gpt-4o'), 2);
    });

    it('should answer a response over the limit with a 429 before anything is created, streamed, background or not', async () => {
      await limit('gpt-4o-mini', { max_requests_per_1_minute: 1 });
      const conversation = await client.conversations.create({});
      await client.responses.create({ model: 'gpt-4o-mini', input: 'first', conversation: conversation.id });
      const ask = (extra: { stream?: true; background?: true }) =>
        client.responses.create({ model: 'gpt-4o-mini', input: 'refused', conversation: conversation.id, ...extra });
      for (const extra of [{}, { stream: true as const }, { background: true as const }]) {
        const headers = await refused(ask(extra));
        assert.deepEqual(trio(headers, 'requests'), ['1', '0', 'Ns']);
      }
      assert.equal(calls('gpt-4o-mini'), 1);
      const items = await client.conversations.items.list(conversation.id, { order: 'asc' });
      const texts = items.data.map((i) => (i.type === 'message' && i.content[0]?.type === 'input_text' ? i.content[0].text : i.type));
      assert.deepEqual(texts, ['first', 'message'], 'the refused inputs were never added');
    });

    it('should answer a spent budget on /v1/responses with insufficient_quota', async () => {
      const reloaded = await createTestApp({
        dialect,
        yaml: `prices:\n  gpt-4o: { input: 1000, output: 1000 }\nbudgets:\n  ${PROJECT}: { usd_per_day: 0.001 }\n`,
        env: { SWITCHBOARD_UPSTREAM_URL: fake.url },
        server: { clock },
      });
      try {
        const c = reloaded.client();
        await c.responses.create({ model: 'gpt-4o', input: 'hi' });
        await reloaded.server.deps.usage.flush();
        clock.advance(1001); // past the spend cache's bound
        await assert.rejects(c.responses.create({ model: 'gpt-4o', input: 'hi', background: true }), (err: unknown) => {
          assert.ok(err instanceof OpenAI.RateLimitError, String(err));
          assert.equal(err.code, 'insufficient_quota');
          assert.match(String(err.headers?.get('retry-after')), /^\d+$/);
          return true;
        });
      } finally {
        await reloaded.close();
      }
    });

    it('should answer a run over the limit with a 429 at create, as OpenAI does, and count a run once', async () => {
      await limit('gpt-4-turbo', { max_requests_per_1_minute: 1 });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4-turbo' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'hi' }] });
      const { data: run, response } = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }).withResponse();
      assert.deepEqual(trio(response.headers, 'requests'), ['1', '0', 'Ns']);
      const done = await client.beta.threads.runs.poll(run.id, { thread_id: thread.id });
      assert.equal(done.status, 'completed', JSON.stringify(done.last_error));
      await refused(client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }));
      await refused(client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, stream: true }));
      await refused(client.beta.threads.createAndRun({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'hi' }] } }));
      assert.deepEqual((await client.beta.threads.runs.list(thread.id)).data.map((r) => r.id), [run.id]);
      assert.equal(calls('gpt-4-turbo'), 1);
    });

    it('should answer submit_tool_outputs over the limit with a 429 and leave the run waiting for its outputs', async () => {
      await limit('gpt-4o-2024-11-20', { max_requests_per_1_minute: 1 });
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_w', name: 'weather', arguments: '{}' }] }) });
      const assistant = await client.beta.assistants.create({
        model: 'gpt-4o-2024-11-20',
        tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } }],
      });
      const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(run.status, 'requires_action');
      const submit = client.beta.threads.runs.submitToolOutputs(run.id, { thread_id: run.thread_id, tool_outputs: [{ tool_call_id: 'call_w', output: 'sunny' }] });
      await refused(submit);
      assert.equal((await client.beta.threads.runs.retrieve(run.id, { thread_id: run.thread_id })).status, 'requires_action');
      assert.equal(calls('gpt-4o-2024-11-20'), 1);
    });

    it("should count a chat with an assistant against the assistant's model", async () => {
      await limit('gpt-4o-2024-05-13', { max_requests_per_1_minute: 1 });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o-2024-05-13' });
      const chat = () => client.chat.completions.create({ model: assistant.id, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      const { response } = await chat();
      assert.deepEqual(trio(response.headers, 'requests'), ['1', '0', 'Ns']);
      await refused(chat());
      assert.equal(calls('gpt-4o-2024-05-13'), 1);
    });

    it('should fail a run and a background response whose later turn is over the limit with rate_limit_exceeded', async () => {
      await limit('gpt-4', { max_requests_per_1_minute: 2 });
      const store = await client.vectorStores.create({ name: 'facts' });
      await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from('The sky is green here.'), 'facts.txt'));
      const search = { type: 'sse' as const, chunks: chatChunks({ toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: '{"query":"sky"}' }] }) };
      fake.enqueue(CHAT, search, search);
      const assistant = await client.beta.assistants.create({
        model: 'gpt-4',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      });
      // Its create counts the first call (1 of 2); the answer after the search is the second; a third turn is refused.
      fake.enqueue(CHAT, search);
      const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'sky?' }] } });
      assert.equal(run.status, 'failed');
      assert.equal(run.last_error?.code, 'rate_limit_exceeded');
      assert.equal(calls('gpt-4'), 2);

      await limit('gpt-4-0613', { max_requests_per_1_minute: 1 });
      const created = await client.responses.create({
        model: 'gpt-4-0613',
        input: 'sky?',
        background: true,
        tools: [{ type: 'file_search', vector_store_ids: [store.id] }],
      });
      const ended = await until(() => client.responses.retrieve(created.id), (r) => r.status !== 'queued' && r.status !== 'in_progress');
      assert.equal(ended.status, 'failed');
      assert.equal(ended.error?.code, 'rate_limit_exceeded');
      assert.equal(calls('gpt-4-0613'), 1);
    });
  });
}
