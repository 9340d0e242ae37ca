import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { UsageCompletionsResponse, UsageCostsResponse } from 'openai/resources/admin/organization/usage';
import { hashKey } from '../../src/config.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const ADMIN = 'sk-admin-usage-test-0001';
const idOf = (key: string) => 'key_' + hashKey(key).slice(0, 16);
const PRICES_YAML = 'prices:\n  gpt-4o: { input: 2.5, output: 10 }\n  gpt-4o-mini: { input: 0.15, output: 0.6 }\n';
const question = [{ role: 'user' as const, content: 'What is the capital of France?' }];
const startOfToday = () => Math.floor(Date.now() / 86_400_000) * 86_400;

for (const dialect of testDialects()) {
  describe(`usage and costs by key kind (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    const start_time = startOfToday();

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_ADMIN_KEY: ADMIN }, yaml: PRICES_YAML });
      await app.client(TEST_KEYS[0]).chat.completions.create({ model: 'gpt-4o', messages: question });
      await app.client(TEST_KEYS[1]).chat.completions.create({ model: 'gpt-4o-mini', messages: question });
      await app.server.deps.usage.flush();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    const models = (page: UsageCompletionsResponse) =>
      page.data.flatMap((b) => b.results.map((r) => ('model' in r ? [r.model, r.num_model_requests] : [])));

    it("should show an admin key every project's usage, and a project key its own", async () => {
      const query = { start_time, group_by: ['model'] };
      const admin = new OpenAI({ apiKey: ADMIN, baseURL: app.baseURL, maxRetries: 0 });
      const all = await admin.get<UsageCompletionsResponse>('/organization/usage/completions', { query });
      assert.deepEqual(models(all).sort(), [['gpt-4o', 1], ['gpt-4o-mini', 1]]);
      const own = await app.client(TEST_KEYS[1]).get<UsageCompletionsResponse>('/organization/usage/completions', { query });
      assert.deepEqual(models(own), [['gpt-4o-mini', 1]]);
    });

    it('should group usage and costs by project', async () => {
      const admin = new OpenAI({ apiKey: ADMIN, baseURL: app.baseURL, maxRetries: 0 });
      const usage = await admin.get<UsageCompletionsResponse>('/organization/usage/completions', {
        query: { start_time, group_by: ['project_id', 'model'] },
      });
      const rows = usage.data.flatMap((b) => b.results.map((r) => ('model' in r ? [r.project_id, r.model] : [])));
      assert.deepEqual(rows.sort(), [[idOf(TEST_KEYS[0]), 'gpt-4o'], [idOf(TEST_KEYS[1]), 'gpt-4o-mini']].sort());
      const costs = await admin.get<UsageCostsResponse>('/organization/costs', { query: { start_time, group_by: ['project_id'] } });
      const projects = costs.data.flatMap((b) => b.results.map((r) => ('amount' in r ? r.project_id : undefined)));
      assert.deepEqual(projects.sort(), [idOf(TEST_KEYS[0]), idOf(TEST_KEYS[1])].sort());
    });

    it("should price every project's tokens for an admin key", async () => {
      const admin = new OpenAI({ apiKey: ADMIN, baseURL: app.baseURL, maxRetries: 0 });
      const total = async (client: OpenAI) => {
        const page = await client.get<UsageCostsResponse>('/organization/costs', { query: { start_time } });
        return page.data.flatMap((b) => b.results).reduce((n, r) => n + ('amount' in r ? (r.amount?.value ?? 0) : 0), 0);
      };
      const [all, a, b] = [await total(admin), await total(app.client(TEST_KEYS[0])), await total(app.client(TEST_KEYS[1]))];
      assert.ok(a > 0 && b > 0);
      assert.ok(Math.abs(all - (a + b)) < 1e-12, `${all} != ${a} + ${b}`);
    });
  });
}
