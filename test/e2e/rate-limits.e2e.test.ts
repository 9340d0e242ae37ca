import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { hashKey } from '../../src/config.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { testClock } from '../support/test-clock.js';
import { until } from '../support/until.js';

const ADMIN = 'sk-admin-rate-limits-0001';
const PROJECT = 'key_' + hashKey(TEST_KEYS[0]).slice(0, 16);

/** A 429 in OpenAI's shape: its type, code rate_limit_exceeded, and a retry-after header. */
async function limited(p: Promise<unknown>, type: 'requests' | 'tokens'): Promise<InstanceType<typeof OpenAI.RateLimitError>> {
  let caught: InstanceType<typeof OpenAI.RateLimitError> | undefined;
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.type, type);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.match(String(err.headers?.get('retry-after')), /^\d+$/);
    caught = err;
    return true;
  });
  return caught!;
}

for (const dialect of testDialects()) {
  describe(`rate limits (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let admin: OpenAI;
    let client: OpenAI;
    const clock = testClock();
    const limits = () => admin.admin.organization.projects.rateLimits;
    const upstreamCalls = (model: string) => fake.calls.filter((c) => c.path === '/v1/chat/completions' && (c.body as { model?: string }).model === model).length;

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

    it("should list and update a project's limits in OpenAI's ProjectRateLimit shape", async () => {
      assert.deepEqual((await limits().listRateLimits(PROJECT)).data, []);
      const updated = await limits().updateRateLimit('rl-gpt-4o', { project_id: PROJECT, max_requests_per_1_minute: 2 });
      const expected = { object: 'project.rate_limit', id: 'rl-gpt-4o', model: 'gpt-4o', max_requests_per_1_minute: 2, max_tokens_per_1_minute: 0, max_requests_per_1_day: 0 };
      assert.deepEqual(updated, expected);
      await limits().updateRateLimit('rl-a-model', { project_id: PROJECT, max_requests_per_1_day: 7 });
      const page = await limits().listRateLimits(PROJECT, { limit: 1 });
      assert.deepEqual(page.data.map((l) => l.id), ['rl-a-model']);
      assert.equal(page.hasNextPage(), true);
      assert.deepEqual((await page.getNextPage()).data, [expected]);
    });

    it('should refuse a project key on the rate limits routes', async () => {
      const asProject = new OpenAI({ apiKey: null, adminAPIKey: TEST_KEYS[0], baseURL: app.baseURL, maxRetries: 0 });
      await assert.rejects(asProject.admin.organization.projects.rateLimits.listRateLimits(PROJECT), (err: unknown) => {
        assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
        assert.match(err.message, /insufficient permissions/);
        return true;
      });
    });

    it("should answer with the x-ratelimit headers and refuse the request over the minute's limit", async () => {
      const ask = () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      const before = upstreamCalls('gpt-4o');
      const remaining = [];
      for (let i = 0; i < 2; i++) {
        const { response } = await ask();
        assert.equal(response.headers.get('x-ratelimit-limit-requests'), '2');
        assert.match(String(response.headers.get('x-ratelimit-reset-requests')), /^\d+s$/);
        remaining.push(response.headers.get('x-ratelimit-remaining-requests'));
      }
      assert.deepEqual(remaining, ['1', '0']);
      const err = await limited(ask(), 'requests');
      assert.equal(err.headers?.get('x-ratelimit-remaining-requests'), '0');
      assert.equal(upstreamCalls('gpt-4o') - before, 2, 'the refused request never went upstream');
    });

    it('should leave a model without limits unlimited and without the headers', async () => {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      assert.equal(response.headers.get('x-ratelimit-limit-requests'), null);
    });

    it("should refuse a request whose estimated tokens exceed the minute's token limit", async () => {
      await limits().updateRateLimit('rl-gpt-4.1', { project_id: PROJECT, max_tokens_per_1_minute: 50 });
      const small = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      assert.equal(small.response.headers.get('x-ratelimit-limit-tokens'), '50');
      const before = upstreamCalls('gpt-4.1');
      await limited(client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'word '.repeat(200) }] }), 'tokens');
      assert.equal(upstreamCalls('gpt-4.1'), before);
    });

    it('should count the real usage (17 tokens an answer) against the token limit, and send the headers on a stream', async () => {
      await limits().updateRateLimit('rl-gpt-4o-2024-05-13', { project_id: PROJECT, max_tokens_per_1_minute: 40 });
      const messages = [{ role: 'user' as const, content: 'hi' }];
      await client.chat.completions.create({ model: 'gpt-4o-2024-05-13', messages });
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'gpt-4o-2024-05-13', messages, stream: true })
        .withResponse();
      assert.equal(response.headers.get('x-ratelimit-limit-tokens'), '40');
      assert.match(String(response.headers.get('x-ratelimit-reset-tokens')), /^\d+s$/);
      for await (const _ of stream);
      // 2 × 17 real tokens and this request's few: over 40 only if the real usage was counted. The count is added
      // just after an answer has gone (on PostgreSQL by an upsert the reply does not wait for), so the next call may
      // still be admitted: retry until refused (a call that is admitted only adds its own 17 tokens).
      const call = () => client.chat.completions.create({ model: 'gpt-4o-2024-05-13', messages });
      const refused = await until(() => call().then(() => undefined, (err: unknown) => err), (err) => err !== undefined, 10_000);
      await limited(Promise.reject(refused ?? new Error('never refused: the real usage was not counted')), 'tokens');
    });

    it('should count an embeddings call and a response once each against their model', async () => {
      await limits().updateRateLimit('rl-text-embedding-3-small', { project_id: PROJECT, max_requests_per_1_minute: 1 });
      const embed = () => client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
      const { response } = await embed().withResponse();
      assert.equal(response.headers.get('x-ratelimit-remaining-requests'), '0');
      await limited(embed(), 'requests');
      await limits().updateRateLimit('rl-gpt-4o-2024-08-06', { project_id: PROJECT, max_requests_per_1_minute: 1 });
      const respond = () => client.responses.create({ model: 'gpt-4o-2024-08-06', input: 'hi' });
      assert.equal((await respond()).status, 'completed');
      // Refused at create, as OpenAI does (runs and responses: test/e2e/rate-limits-runs.e2e.test.ts).
      await limited(respond(), 'requests');
      assert.equal(upstreamCalls('gpt-4o-2024-08-06'), 1);
    });
  });
}

for (const dialect of testDialects()) {
  describe(`spend budgets (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    const clock = testClock();
    const OTHER = 'key_' + hashKey(TEST_KEYS[1]).slice(0, 16);

    before(async () => {
      fake = await startFakeUpstream();
      // 1000 USD per million tokens: one answer of the fake upstream costs more than the budget of 0.001 USD a day.
      const yaml = `prices:\n  gpt-4o: { input: 1000, output: 1000 }\nbudgets:\n  ${PROJECT}: { usd_per_day: 0.001 }\n  ${OTHER}: { usd_per_month: 1000 }\n`;
      app = await createTestApp({ dialect, yaml, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { clock } });
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should refuse a project that spent its daily budget with insufficient_quota, and not another', async () => {
      const ask = (client: OpenAI) => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      const [first, other] = [app.client(TEST_KEYS[0]), app.client(TEST_KEYS[1])];
      await ask(first);
      await app.server.deps.usage.flush();
      clock.advance(1001); // past the spend cache's bound
      const sent = fake.calls.length;
      await assert.rejects(ask(first), (err: unknown) => {
        assert.ok(err instanceof OpenAI.RateLimitError, String(err));
        assert.equal(err.type, 'insufficient_quota');
        assert.equal(err.code, 'insufficient_quota');
        assert.match(String(err.headers?.get('retry-after')), /^\d+$/);
        return true;
      });
      assert.equal(fake.calls.length, sent, 'the refused request never went upstream');
      await ask(other);
      assert.equal(fake.calls.length, sent + 1);
    });
  });
}
