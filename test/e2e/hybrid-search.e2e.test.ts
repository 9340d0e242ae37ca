import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { FileSearchTool } from 'openai/resources/responses/responses';
import type { VectorStoreSearchParams } from 'openai/resources/vector-stores/vector-stores';
import { chatChunks } from '../fakes/chunks.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';

/** Holds the query's one rare word (a part number) and nothing else of it. */
const CODE = 'Reference QX7741 is listed in the spare parts catalogue of the municipal pumping station.';
/** Means what the query asks, in other words. */
const MEANING = 'If your dishwasher shows an error and stops mid-cycle, clean the filter and check the drain hose for blockages.';
const QUERY = 'my machine for washing plates halted with QX7741';

/** OpenAI's search params plus `hybrid_search`, which the spec gives the Responses file_search tool (the SDK's type for this call lacks it). */
type Search = VectorStoreSearchParams & {
  ranking_options?: Record<string, unknown>;
};

for (const dialect of testDialects()) {
  describe(`hybrid search ranking_options (${dialect})`, () => {
    let app: TestApp;
    let fake: FakeUpstream;
    let client: OpenAI;
    let vsId = '';
    const names = async (params: Search) => (await client.vectorStores.search(vsId, params)).data.map((r) => r.filename);

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client(TEST_KEYS[0]);
      const vs = await client.vectorStores.create({ name: 'hybrid' });
      vsId = vs.id;
      for (const [name, text] of [['code.txt', CODE], ['meaning.txt', MEANING]] as const)
        await client.vectorStores.files.uploadAndPoll(vs.id, await toFile(Buffer.from(text), name));
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should put the keyword match first when text weighs more, and the closer meaning first when the embedding does', async () => {
      const text = await names({ query: QUERY, ranking_options: { hybrid_search: { embedding_weight: 1, text_weight: 3 } } });
      const embedding = await names({ query: QUERY, ranking_options: { hybrid_search: { embedding_weight: 1, text_weight: 0.01 } } });
      assert.deepEqual(text, ['code.txt', 'meaning.txt']);
      assert.deepEqual(embedding, ['meaning.txt', 'code.txt']);
    });

    it('should search one half alone when the other weighs 0, and the embedding alone with ranker none', async () => {
      assert.deepEqual(await names({ query: QUERY, ranking_options: { hybrid_search: { embedding_weight: 0, text_weight: 1 } } }), ['code.txt']);
      const vectorOnly = await client.vectorStores.search(vsId, { query: QUERY, ranking_options: { hybrid_search: { embedding_weight: 1, text_weight: 0 } } } as Search);
      const none = await client.vectorStores.search(vsId, { query: QUERY, ranking_options: { ranker: 'none' } });
      assert.deepEqual(none.data.map((r) => r.filename), ['meaning.txt', 'code.txt']);
      assert.deepEqual(none.data.map((r) => r.score), vectorOnly.data.map((r) => r.score));
    });

    it('should apply score_threshold to the fused score in [0, 1]', async () => {
      const all = (await client.vectorStores.search(vsId, { query: QUERY })).data;
      assert.equal(all.length, 2);
      for (const r of all) assert.ok(r.score >= 0 && r.score <= 1, String(r.score));
      const between = (all[0]!.score + all[1]!.score) / 2;
      const above = await client.vectorStores.search(vsId, { query: QUERY, ranking_options: { score_threshold: between } });
      assert.deepEqual(above.data.map((r) => r.filename), [all[0]!.filename]);
    });

    it('should refuse bad hybrid_search weights with OpenAI-shaped 400s', async () => {
      const bad = (hybrid_search: unknown) => client.vectorStores.search(vsId, { query: QUERY, ranking_options: { hybrid_search } } as Search);
      await rejectsWith(bad({ embedding_weight: -1, text_weight: 1 }), {
        status: 400,
        param: 'ranking_options.hybrid_search.embedding_weight',
        code: 'decimal_below_min_value',
      });
      await rejectsWith(bad({ embedding_weight: 0, text_weight: 0 }), {
        status: 400,
        param: 'ranking_options.hybrid_search',
        code: 'invalid_value',
        message: "Invalid 'ranking_options.hybrid_search': embedding_weight and text_weight cannot both be 0.",
      });
      await rejectsWith(bad({ embedding_weight: 1 }), { status: 400, param: 'ranking_options.hybrid_search.text_weight', code: 'missing_required_parameter' });
      await rejectsWith(bad({ embedding_weight: '1', text_weight: 1 }), { status: 400, param: 'ranking_options.hybrid_search.embedding_weight', code: 'invalid_type' });
    });

    it('should pass the Responses file_search tool\'s hybrid_search weights to the search the model asked for', async () => {
      const run = async (hybrid_search: FileSearchTool.RankingOptions.HybridSearch) => {
        fake.reset();
        fake.enqueue(
          '/v1/chat/completions',
          { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: JSON.stringify({ query: QUERY }) }], usage: {} }) },
          { type: 'sse', chunks: chatChunks({ content: 'Done.', usage: {} }) },
        );
        const response = await client.responses.create({
          model: 'gpt-4o-mini',
          input: 'Why did it stop?',
          tools: [{ type: 'file_search', vector_store_ids: [vsId], ranking_options: { hybrid_search } }],
          include: ['file_search_call.results'],
        });
        const call = response.output.find((item) => item.type === 'file_search_call');
        const toolMessage = (fake.calls[1]!.body as { messages: Array<{ role: string; content: string }> }).messages.find((m) => m.role === 'tool')!;
        return { results: call?.type === 'file_search_call' ? (call.results ?? []).map((r) => r.filename) : [], sent: toolMessage.content };
      };
      const text = await run({ embedding_weight: 1, text_weight: 3 });
      const embedding = await run({ embedding_weight: 1, text_weight: 0.01 });
      assert.deepEqual(text.results, ['code.txt', 'meaning.txt']);
      assert.deepEqual(embedding.results, ['meaning.txt', 'code.txt']);
      const at = (sent: string, file: string) => sent.indexOf((file === 'code.txt' ? CODE : MEANING).slice(0, 20));
      assert.ok(at(text.sent, 'code.txt') < at(text.sent, 'meaning.txt'), 'the model read the keyword match first');
      assert.ok(at(embedding.sent, 'meaning.txt') < at(embedding.sent, 'code.txt'), 'the model read the closer meaning first');
      assert.ok(at(text.sent, 'meaning.txt') > 0 && at(embedding.sent, 'code.txt') > 0);
    });
  });
}
