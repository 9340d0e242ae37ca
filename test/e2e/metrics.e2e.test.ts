import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks, chatCompletion, errorBody } from '../fakes/chunks.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { parsePrometheus, sampleValue, samplesOf, type Sample } from '../support/prometheus.js';
import { metrics } from '../../src/telemetry/metrics.js';

const CHAT = '/v1/chat/completions';
const KEY = 'sk-metrics-team-a-000000001';
const METRICS_KEY = 'metrics-secret-0123456789';
const question = [{ role: 'user' as const, content: 'Capital of France?' }];
const YAML = `
keys:
  - { key: ${KEY}, tenant: team-a }
prices:
  gpt-4o: { input: 2, output: 10 }
`;

async function scrape(app: TestApp, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; samples: Sample[] }> {
  const res = await fetch(`${app.url}/metrics`, { headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), samples: res.ok ? parsePrometheus(text) : [] };
}

/** What a scrape holds now, to compare with a later one (the registry is the process's: tests measure deltas). */
async function delta(app: TestApp, name: string, labels: Record<string, string>, act: () => Promise<unknown>): Promise<number> {
  const before = sampleValue((await scrape(app)).samples, name, labels);
  await act();
  return sampleValue((await scrape(app)).samples, name, labels) - before;
}

for (const dialect of testDialects()) {
  describe(`GET /metrics (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, yaml: YAML, env: { SWITCHBOARD_API_KEYS: '', SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client(KEY);
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    it('should answer the Prometheus text format with Node process metrics, without a key', async () => {
      const { status, type, samples } = await scrape(app);
      assert.equal(status, 200);
      assert.match(type ?? '', /^text\/plain; version=0\.0\.4/);
      assert.ok(sampleValue(samples, 'process_cpu_user_seconds_total') > 0);
      assert.ok(samplesOf(samples, 'nodejs_eventloop_lag_seconds').length === 1);
    });

    it('should count requests by route pattern and status, never by raw URL', async () => {
      const labels = { http_request_method: 'GET', http_route: '/v1/threads/:thread_id', http_response_status_code: '404' };
      const n = await delta(app, 'http_server_request_duration_seconds_count', labels, () =>
        assert.rejects(client.beta.threads.retrieve('thread_doesnotexist'), OpenAI.NotFoundError),
      );
      assert.equal(n, 1);
      const { samples } = await scrape(app);
      assert.equal(samplesOf(samples, 'http_server_request_duration_seconds_count').filter((s) => s.labels.http_route!.includes('thread_doesnotexist')).length, 0);
    });

    it('should record a relayed call: duration by provider and model, tokens and cost by model and tenant', async () => {
      fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ usage: { prompt_tokens: 1000, completion_tokens: 100 } }) });
      const before = (await scrape(app)).samples;
      await client.chat.completions.create({ model: 'gpt-4o', messages: question });
      const after = (await scrape(app)).samples;
      const d = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
      const op = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'default', gen_ai_request_model: 'gpt-4o', error_type: '' };
      assert.equal(d('gen_ai_client_operation_duration_seconds_count', op), 1);
      const tokens = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'gpt-4o', switchboard_tenant: 'team-a' };
      assert.equal(d('gen_ai_client_token_usage_sum', { ...tokens, gen_ai_token_type: 'input' }), 1000);
      assert.equal(d('gen_ai_client_token_usage_sum', { ...tokens, gen_ai_token_type: 'output' }), 100);
      assert.equal(d('gen_ai_client_token_usage_count', { ...tokens, gen_ai_token_type: 'input' }), 1);
      // 1000 × $2/1M + 100 × $10/1M
      const cost = d('switchboard_cost_usd_total', { gen_ai_request_model: 'gpt-4o', switchboard_tenant: 'team-a' });
      assert.ok(Math.abs(cost - 0.003) < 1e-9, String(cost));
      const http = { http_request_method: 'POST', http_route: '/v1/chat/completions', http_response_status_code: '200' };
      assert.equal(d('http_server_request_duration_seconds_count', http), 1);
    });

    it('should record time to first token for a streamed call', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Paris.' }) });
      const labels = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'default', gen_ai_request_model: 'gpt-4o' };
      const n = await delta(app, 'gen_ai_server_time_to_first_token_seconds_count', labels, async () => {
        const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: question, stream: true });
        for await (const _ of stream);
      });
      assert.equal(n, 1);
    });

    it("should label a failed upstream call with the upstream's status as error_type", async () => {
      fake.enqueue(CHAT, { type: 'error', status: 500, body: errorBody('upstream exploded', 'server_error') });
      const labels = { gen_ai_provider_name: 'default', gen_ai_request_model: 'gpt-4o', error_type: '500' };
      const n = await delta(app, 'gen_ai_client_operation_duration_seconds_count', labels, () =>
        assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: question }), OpenAI.InternalServerError),
      );
      assert.equal(n, 1);
    });

    it('should count run transitions by status and the run latency of completed runs', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Done.', usage: { prompt_tokens: 50, completion_tokens: 5 } }) });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'hi' }] });
      const before = (await scrape(app)).samples;
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed');
      const after = (await scrape(app)).samples;
      const d = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
      assert.equal(d('switchboard_run_transitions_total', { status: 'in_progress' }), 1);
      assert.equal(d('switchboard_run_transitions_total', { status: 'completed' }), 1);
      assert.equal(d('switchboard_run_duration_seconds_count', { status: 'completed' }), 1);
      // The run's model call goes through the ChatModel path: measured there too.
      assert.equal(d('gen_ai_client_operation_duration_seconds_count', { gen_ai_request_model: 'gpt-4o', error_type: '' }), 1);
      assert.equal(d('gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input', switchboard_tenant: 'team-a' }), 50);
    });

    it('should count rate-limit refusals reported through metrics.rateLimited()', async () => {
      const n = await delta(app, 'switchboard_rate_limited_total', { switchboard_tenant: 'team-a', limit: 'requests' }, async () =>
        metrics.rateLimited({ tenant: 'team-a', limit: 'requests' }),
      );
      assert.equal(n, 1);
    });

    it('should show the ingestion backlog and the code_interpreter sessions alive', async () => {
      const { samples } = await scrape(app);
      assert.equal(samplesOf(samples, 'switchboard_vector_store_files_in_progress').length, 1);
      assert.equal(sampleValue(samples, 'switchboard_code_interpreter_sessions'), 0);
    });
  });

  describe(`queue depth (${dialect})`, () => {
    let db: { url: string; drop(): Promise<void> };
    let idle: TestApp;
    before(async () => {
      db = await createTestDatabaseUrl(dialect);
      // An instance that executes no runs: what it queues stays queued.
      idle = await createTestApp({ databaseUrl: db.url, yaml: YAML, env: { SWITCHBOARD_API_KEYS: '', SWITCHBOARD_UPSTREAM_URL: 'http://127.0.0.1:9/v1' }, server: { worker: { concurrency: 0 } } });
    });
    after(async () => {
      await idle.close();
      await db.drop();
    });

    it('should show the queued runs as a gauge read from the database', async () => {
      const client = idle.client(KEY);
      assert.equal(sampleValue((await scrape(idle)).samples, 'switchboard_runs_queued'), 0);
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const thread = await client.beta.threads.create();
      await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
      await client.beta.threads.runs.create((await client.beta.threads.create()).id, { assistant_id: assistant.id });
      // The value is cached for a second: wait for the next reading rather than sleep.
      let queued = 0;
      for (const deadline = Date.now() + 5000; queued !== 2 && Date.now() < deadline; )
        queued = sampleValue((await scrape(idle)).samples, 'switchboard_runs_queued');
      assert.equal(queued, 2);
    });
  });

  describe(`metrics key and switch (${dialect})`, () => {
    it('should refuse a scrape without the metrics key with 401 in OpenAI shape, and serve it with the key', async () => {
      const app = await createTestApp({ dialect, env: { SWITCHBOARD_METRICS_KEY: METRICS_KEY } });
      try {
        const res = await fetch(`${app.url}/metrics`);
        assert.equal(res.status, 401);
        const body = (await res.json()) as { error: { type: string; code: string | null } };
        assert.equal(body.error.code, 'invalid_api_key');
        assert.equal((await scrape(app, { authorization: 'Bearer wrong-key-0123456789' })).status, 401);
        assert.equal((await scrape(app, { authorization: `Bearer ${METRICS_KEY}` })).status, 200);
      } finally {
        await app.close();
      }
    });

    it('should take an admin key in place of the metrics key, and with require_key alone only admin keys', async () => {
      const ADMIN = 'sk-admin-metrics-0123456789abcdef';
      const both = await createTestApp({ dialect, env: { SWITCHBOARD_METRICS_KEY: METRICS_KEY, SWITCHBOARD_ADMIN_KEY: ADMIN } });
      try {
        assert.equal((await scrape(both, { authorization: `Bearer ${ADMIN}` })).status, 200);
        assert.equal((await scrape(both, { authorization: `Bearer ${METRICS_KEY}` })).status, 200);
        assert.equal((await scrape(both, { authorization: `Bearer ${TEST_KEYS[0]}` })).status, 401);
      } finally {
        await both.close();
      }
      const admins = await createTestApp({ dialect, yaml: 'metrics: { require_key: true }\n', env: { SWITCHBOARD_ADMIN_KEY: ADMIN } });
      try {
        assert.equal((await fetch(`${admins.url}/metrics`)).status, 401);
        assert.equal((await scrape(admins, { authorization: `Bearer ${TEST_KEYS[0]}` })).status, 401);
        assert.equal((await scrape(admins, { authorization: `Bearer ${ADMIN}` })).status, 200);
      } finally {
        await admins.close();
      }
    });

    it('should switch /metrics and the instrumentation on and off at a reload (SIGHUP), with no restart', async () => {
      const fake = await startFakeUpstream();
      const app = await createTestApp({ dialect, yaml: 'metrics: { enabled: false }\n', env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      const ask = () => app.client().chat.completions.create({ model: 'gpt-4o', messages: question });
      const requests = (samples: Sample[]) => samplesOf(samples, 'http_server_request_duration_seconds_count').filter((x) => x.labels['http_route'] === CHAT);
      const counted = (samples: Sample[]) => requests(samples).reduce((n, x) => n + x.value, 0);
      try {
        assert.equal((await fetch(`${app.url}/metrics`)).status, 404);
        await app.reload('metrics: { enabled: true }\n');
        const first = await scrape(app);
        assert.equal(first.status, 200);
        await ask();
        assert.equal(counted((await scrape(app)).samples) - counted(first.samples), 1, 'the hooks count once metrics are on');
        await app.reload('metrics: { enabled: true, require_key: true }\n');
        assert.equal((await scrape(app)).status, 401, 'who may scrape is reloaded too');
        await app.reload('metrics: { enabled: false }\n');
        assert.equal((await fetch(`${app.url}/metrics`)).status, 404);
        await ask();
        await app.reload('metrics: { enabled: true }\n');
        const last = await scrape(app);
        assert.equal(counted(last.samples) - counted(first.samples), 1, 'a request made while metrics were off is not counted');
      } finally {
        await app.close();
        await fake.close();
      }
    });

    it('should have no /metrics when metrics are off (SWITCHBOARD_METRICS=off)', async () => {
      const app = await createTestApp({ dialect, env: { SWITCHBOARD_METRICS: 'off' } });
      try {
        assert.equal((await fetch(`${app.url}/metrics`)).status, 404);
        assert.equal(metrics.enabled, false);
      } finally {
        await app.close();
      }
    });
  });
}
