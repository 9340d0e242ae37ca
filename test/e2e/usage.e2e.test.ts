import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks, chatCompletion } from '../fakes/chunks.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';

interface UsageResult {
  object: string;
  input_tokens: number;
  input_cached_tokens: number;
  output_tokens: number;
  num_model_requests: number;
  model: string | null;
  api_key_id: string | null;
}
interface CostResult {
  object: string;
  amount: { value: number; currency: string };
  line_item: string | null;
}
interface Page<R> {
  object: 'page';
  data: Array<{ object: 'bucket'; start_time: number; end_time: number; results: R[] }>;
  has_more: boolean;
  next_page: string | null;
}

const PRICES_YAML = 'prices:\n  gpt-4o: { input: 2.5, output: 10, cached_input: 1.25 }\n';
const question = [{ role: 'user' as const, content: 'What is the capital of France?' }];
const startOfToday = () => Math.floor(Date.now() / 86_400_000) * 86_400;

function usage(client: OpenAI, query: Record<string, unknown>) {
  return client.get<Page<UsageResult>>('/organization/usage/completions', { query });
}

function totals(page: Page<UsageResult>) {
  const results = page.data.flatMap((b) => b.results);
  return {
    input: results.reduce((n, r) => n + r.input_tokens, 0),
    output: results.reduce((n, r) => n + r.output_tokens, 0),
    requests: results.reduce((n, r) => n + r.num_model_requests, 0),
  };
}

for (const dialect of testDialects()) {
  describe(`usage and costs (${dialect})`, () => {
    let fake: FakeUpstream;
    let db: { url: string; drop(): Promise<void> };
    let app: TestApp;
    const start = startOfToday();

    before(async () => {
      fake = await startFakeUpstream();
      db = await createTestDatabaseUrl(dialect);
      app = await createTestApp({ databaseUrl: db.url, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, yaml: PRICES_YAML });
      const a = app.client(TEST_KEYS[0]);
      await a.chat.completions.create({ model: 'gpt-4o', messages: question });
      await a.chat.completions.create({ model: 'gpt-4o', messages: question });
      for await (const _ of await a.chat.completions.create({ model: 'gpt-4o', messages: question, stream: true })) void _;
      await app.client(TEST_KEYS[1]).chat.completions.create({ model: 'gpt-4o-mini', messages: question });
    });
    after(async () => {
      await app.close();
      await db.drop();
      await fake.close();
    });

    it('should record every completion of the tenant, streams included', async () => {
      await app.server.deps.usage.flush();
      const page = await usage(app.client(TEST_KEYS[0]), { start_time: start });
      assert.equal(page.object, 'page');
      assert.equal(page.data[0]!.object, 'bucket');
      assert.equal(page.data[0]!.results[0]!.object, 'organization.usage.completions.result');
      assert.deepEqual(totals(page), { input: 30, output: 21, requests: 3 });
    });

    it('should scope usage to the caller tenant', async () => {
      await app.server.deps.usage.flush();
      const page = await usage(app.client(TEST_KEYS[1]), { start_time: start, group_by: ['model'] });
      const results = page.data.flatMap((b) => b.results);
      assert.deepEqual(
        results.map((r) => [r.model, r.num_model_requests]),
        [['gpt-4o-mini', 1]],
      );
    });

    it('should group by model and api key', async () => {
      await app.server.deps.usage.flush();
      const page = await usage(app.client(TEST_KEYS[0]), { start_time: start, group_by: ['model', 'api_key_id'] });
      const results = page.data.flatMap((b) => b.results);
      assert.equal(results.length, 1);
      assert.equal(results[0]!.model, 'gpt-4o');
      assert.match(results[0]!.api_key_id ?? '', /^key_[0-9a-f]{16}$/);
    });

    it('should price usage from the price table', async () => {
      await app.server.deps.usage.flush();
      const page = await app
        .client(TEST_KEYS[0])
        .get<Page<CostResult>>('/organization/costs', { query: { start_time: start } });
      const value = page.data.flatMap((b) => b.results).reduce((n, r) => n + r.amount.value, 0);
      assert.ok(Math.abs(value - (30 * 2.5 + 21 * 10) / 1e6) < 1e-12, `cost ${value}`);
      assert.equal(page.data.flatMap((b) => b.results)[0]!.amount.currency, 'usd');
    });

    it('should answer 400 without start_time', async () => {
      const res = await fetch(`${app.baseURL}/organization/usage/completions`, {
        headers: { authorization: `Bearer ${TEST_KEYS[0]}` },
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { param: string } }).error.param, 'start_time');
    });
  });

  describe(`usage of a stream that reports none (${dialect})`, () => {
    it("should count a streamed answer without a usage chunk from its prompt and the text it streamed", async () => {
      const fake = await startFakeUpstream();
      const db = await createTestDatabaseUrl(dialect);
      const app = await createTestApp({ databaseUrl: db.url, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      try {
        const answer = 'Paris is the capital of France, and it has been for a very long time.';
        fake.enqueue('/v1/chat/completions', { type: 'sse', chunks: chatChunks({ content: answer, usage: null }) });
        const stream = await app.client().chat.completions.create({ model: 'gpt-4o', messages: question, stream: true });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        assert.equal(text, answer);
        await app.server.deps.usage.flush();
        const t = totals(await usage(app.client(), { start_time: startOfToday() }));
        assert.equal(t.requests, 1);
        // No usage chunk came: the prompt and the streamed text were counted with a tokenizer.
        assert.ok(t.input > 10 && t.output >= 15, JSON.stringify(t));
      } finally {
        await app.stop();
        await db.drop();
        await fake.close();
      }
    });
  });

  describe(`usage across a restart (${dialect})`, () => {
    it('should flush pending usage on shutdown and serve it after a restart', async () => {
      const fake = await startFakeUpstream();
      const db = await createTestDatabaseUrl(dialect);
      try {
        // A long flush interval: only the shutdown flush can have written these.
        const yaml = 'usage_flush_ms: 3600000\n';
        const first = await createTestApp({ databaseUrl: db.url, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, yaml });
        await first.client().chat.completions.create({ model: 'gpt-4o', messages: question });
        fake.enqueue('/v1/chat/completions', { type: 'json', body: chatCompletion({ content: 'Paris is the capital.', usage: null }) });
        await first.client().chat.completions.create({ model: 'gpt-4o', messages: question });
        assert.ok(first.server.deps.usage.pendingCount > 0);
        await first.stop();

        const second = await createTestApp({ databaseUrl: db.url, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
        try {
          const t = totals(await usage(second.client(), { start_time: startOfToday() }));
          assert.equal(t.requests, 2);
          // The second upstream answer carried no usage: Switchboard counted it with a tokenizer.
          assert.ok(t.input > 10 && t.output > 7, JSON.stringify(t));
        } finally {
          await second.stop();
        }
      } finally {
        await db.drop();
        await fake.close();
      }
    });
  });
}
