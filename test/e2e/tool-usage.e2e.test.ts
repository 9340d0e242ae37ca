import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { UsageCostsResponse } from 'openai/resources/admin/organization/usage';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { until } from '../support/until.js';
import { hashKey } from '../../src/config.js';

const CHAT = '/v1/chat/completions';
const ENCODER = 'universal-sentence-encoder';
const FACT = 'The Zorbulon reactor on Kepler station runs on 42 tonnes of liquid argon.';
const YAML = [
  'prices:',
  `  ${ENCODER}: { input: 1000 }`,
  'tool_prices:',
  '  code_interpreter_session: 0.03',
  '  file_search_call: 0.0025',
  // A price that makes a few bytes for a few seconds cost more than rounding noise.
  '  vector_store_gb_day: 1000000000',
  'vector_store_usage_sample_s: 1',
  'code_interpreter:',
  '  idle_timeout_s: 600',
  '',
].join('\n');

/** The project (tenant) id of a configured key. */
const projectOf = (key: string) => 'key_' + hashKey(key).slice(0, 16);
const startOfToday = () => Math.floor(Date.now() / 86_400_000) * 86_400;
const callTool = (id: string, name: string, args: object) => ({
  type: 'sse' as const,
  chunks: chatChunks({ toolCalls: [{ id, name, arguments: JSON.stringify(args) }], usage: {} }),
});
const answer = (content: string) => ({ type: 'sse' as const, chunks: chatChunks({ content, usage: {} }) });

type AnyResult = UsageCostsResponse.Data['results'][number];
type CostResult = UsageCostsResponse.Data.OrganizationCostsResult & { quantity_unit: string | null };

/** Every result of a usage page, across its buckets. */
const allOf = (page: { data: Array<{ results: AnyResult[] }> }): AnyResult[] => page.data.flatMap((b) => b.results);

/** The page's results of one object type (what the endpoint should answer with). */
function resultsOf<O extends AnyResult['object']>(page: { data: Array<{ results: AnyResult[] }> }, object: O) {
  return allOf(page).filter((r): r is Extract<AnyResult, { object: O }> => r.object === object);
}

for (const dialect of testDialects()) {
  describe(`tool and embeddings usage (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    /** The SDK's admin usage methods, as an app reading its usage calls them. */
    let admin: OpenAI['admin']['organization']['usage'];
    const start = startOfToday();
    let store: OpenAI.VectorStores.VectorStore;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, yaml: YAML });
      client = app.client();
      admin = new OpenAI({ adminAPIKey: TEST_KEYS[0], baseURL: app.baseURL, maxRetries: 0 }).admin.organization.usage;
      store = await client.vectorStores.create({ name: 'kepler' });
      const file = await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(`${FACT}\n`), 'kepler.txt'));
      assert.equal(file.status, 'completed');
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should meter /v1/embeddings as embeddings usage, not as completions', async () => {
      const res = await client.embeddings.create({ model: ENCODER, input: ['hello world', 'the quick brown fox'] });
      await app.server.deps.usage.flush();
      const page = await admin.embeddings({ start_time: start, group_by: ['model', 'api_key_id'] });
      const byKey = resultsOf(page, 'organization.usage.embeddings.result').find((r) => r.api_key_id);
      assert.equal(byKey?.object, 'organization.usage.embeddings.result');
      assert.equal(byKey?.model, ENCODER);
      assert.equal(byKey?.input_tokens, res.usage.prompt_tokens);
      assert.equal(byKey?.num_model_requests, 1);
      const completions = await admin.completions({ start_time: start });
      assert.deepEqual(allOf(completions), []);
    });

    it('should meter the embeddings tokens spent indexing files, under no API key', async () => {
      await app.server.deps.usage.flush();
      const page = await admin.embeddings({ start_time: start, group_by: ['api_key_id'] });
      const indexing = resultsOf(page, 'organization.usage.embeddings.result').find((r) => r.api_key_id === null);
      assert.ok(indexing && indexing.input_tokens > 0, JSON.stringify(page));
      assert.equal(indexing.num_model_requests, 1);
    });

    it('should count each file_search call a run executes, by vector store', async () => {
      const assistant = await client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      });
      fake.enqueue(
        CHAT,
        callTool('call_fs1', 'file_search', { query: 'Zorbulon reactor' }),
        callTool('call_fs2', 'file_search', { query: 'liquid argon' }),
        answer('42 tonnes of liquid argon.'),
      );
      const run = await client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'What does the reactor run on?' }] },
      });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      await app.server.deps.usage.flush();
      const page = await admin.fileSearchCalls({ start_time: start, group_by: ['vector_store_id'] });
      const results = resultsOf(page, 'organization.usage.file_searches.result');
      assert.deepEqual(
        results.map((r) => [r.object, r.vector_store_id, r.num_requests]),
        [['organization.usage.file_searches.result', store.id, 2]],
      );
      const other = await admin.fileSearchCalls({ start_time: start, vector_store_ids: ['vs_other'] });
      assert.deepEqual(allOf(other), []);
    });

    it('should count a code_interpreter session once per thread, not per call', async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      fake.enqueue(CHAT, callTool('call_a', 'code_interpreter', { code: 'x = 20' }), callTool('call_b', 'code_interpreter', { code: 'print(x + 1)' }), answer('21'));
      const run = await client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'Compute.' }] },
      });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      await app.server.deps.usage.flush();
      const page = await admin.codeInterpreterSessions({ start_time: start });
      const results = allOf(page);
      assert.deepEqual(results, [{ object: 'organization.usage.code_interpreter_sessions.result', num_sessions: 1, project_id: null }]);
    });

    it('should report the bytes the vector stores hold', async () => {
      const { usage_bytes } = await client.vectorStores.retrieve(store.id);
      assert.ok(usage_bytes > 0);
      const page = await until(
        () => admin.vectorStores({ start_time: start, bucket_width: '1m', limit: 1440 }),
        (p) => allOf(p).length > 0,
      );
      const results = resultsOf(page, 'organization.usage.vector_stores.result');
      assert.equal(results.at(-1)?.object, 'organization.usage.vector_stores.result');
      assert.equal(results.at(-1)?.usage_bytes, usage_bytes);
    });

    it('should price tools, storage and embeddings as line items of the costs', async () => {
      await app.server.deps.usage.flush();
      const page = await admin.costs({ start_time: start, group_by: ['line_item'] });
      const items = new Map(resultsOf(page, 'organization.costs.result').map((r) => [r.line_item, r as CostResult]));
      assert.deepEqual(
        [items.get('file_search_calls')?.amount?.value, items.get('file_search_calls')?.quantity, items.get('file_search_calls')?.quantity_unit],
        [0.005, 2, 'calls'],
      );
      assert.deepEqual(
        [items.get('code_interpreter_sessions')?.amount?.value, items.get('code_interpreter_sessions')?.quantity],
        [0.03, 1],
      );
      const storage = items.get('vector_store_storage');
      assert.equal(storage?.quantity_unit, 'gibibyte_hours');
      const expected = ((storage?.quantity ?? 0) / 24) * 1e9;
      assert.ok(expected > 0 && Math.abs((storage?.amount?.value ?? 0) - expected) < 1e-9, JSON.stringify(storage));
      const embeddings = items.get(ENCODER);
      assert.equal(embeddings?.quantity_unit, 'tokens');
      assert.ok(Math.abs((embeddings?.amount?.value ?? 0) - (embeddings?.quantity ?? 0) * 1000 / 1e6) < 1e-12, JSON.stringify(embeddings));
    });

    it('should name the project on every tool usage route grouped by project_id', async () => {
      await app.server.deps.usage.flush();
      const query = { start_time: start, group_by: ['project_id' as const] };
      const pages = await Promise.all([
        admin.embeddings(query),
        admin.fileSearchCalls(query),
        admin.codeInterpreterSessions(query),
        admin.vectorStores({ ...query, bucket_width: '1m', limit: 1440 }),
      ]);
      const projects = pages.map((page) => [...new Set(allOf(page).map((r) => ('project_id' in r ? r.project_id : undefined)))]);
      const own = projectOf(TEST_KEYS[0]);
      assert.deepEqual(projects, [[own], [own], [own], [own]]);
    });

    it('should honour project_ids on every usage and costs route', async () => {
      const routes = (project: string) => {
        const q = { start_time: start, project_ids: [project] };
        return Promise.all([
          admin.completions(q),
          admin.embeddings(q),
          admin.fileSearchCalls(q),
          admin.codeInterpreterSessions(q),
          admin.vectorStores({ ...q, bucket_width: '1m', limit: 1440 }),
          admin.costs(q),
        ]);
      };
      const counts = (pages: Awaited<ReturnType<typeof routes>>) => pages.map((p) => allOf(p as { data: Array<{ results: AnyResult[] }> }).length > 0);
      // Runs' chat calls are completions usage: every route has some of the caller's own project.
      assert.deepEqual(counts(await routes(projectOf(TEST_KEYS[0]))), [true, true, true, true, true, true]);
      assert.deepEqual(counts(await routes('proj_other')), [false, false, false, false, false, false]);
    });

    it('should keep one tenant out of another tenant tool usage', async () => {
      const other = new OpenAI({ adminAPIKey: TEST_KEYS[1], baseURL: app.baseURL, maxRetries: 0 }).admin.organization.usage;
      const [calls, sessions, costs] = await Promise.all([
        other.fileSearchCalls({ start_time: start }),
        other.codeInterpreterSessions({ start_time: start }),
        other.costs({ start_time: start }),
      ]);
      assert.deepEqual([allOf(calls), allOf(sessions), allOf(costs)], [[], [], []]);
    });
  });
}
