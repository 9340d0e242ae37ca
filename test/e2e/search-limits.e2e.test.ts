import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { countTokens } from 'gpt-tokenizer';
import type { Embedder, EmbedOptions } from '../../src/embeddings/embedder.js';
import { searchVectorStores } from '../../src/services/vector-store-search.service.js';
import { rejectsWith } from '../support/api-errors.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

// 'word ' × 9000 is 9,001 o200k tokens; 41 × ('word ' × 7500) is 41 × 7,501.
const TOO_LONG = 'word '.repeat(9000);
const NEAR_LIMIT = 'word '.repeat(7500);

describe('vector store search limits', () => {
  let app: TestApp;
  let client: OpenAI;
  let vsId: string;

  before(async () => {
    app = await createTestApp();
    client = app.client();
    vsId = (await client.vectorStores.create({ name: 'limits' })).id;
  });
  after(() => app.close());

  it('should answer 400 for a query over 8192 tokens', async () => {
    await rejectsWith(client.vectorStores.search(vsId, { query: TOO_LONG }), {
      param: 'query',
      code: null,
      messageIncludes: "Invalid 'query': maximum context length is 8192 tokens, however you requested 9001 tokens.",
    });
  });

  it('should name the query of an array that is over 8192 tokens', async () => {
    await rejectsWith(client.vectorStores.search(vsId, { query: ['short', TOO_LONG] }), {
      param: 'query',
      code: null,
      messageIncludes: "Invalid 'query[1]': maximum context length is 8192 tokens",
    });
  });

  it('should answer 400 for more than 300,000 tokens of queries', async () => {
    await rejectsWith(client.vectorStores.search(vsId, { query: Array(41).fill(NEAR_LIMIT) }), {
      param: 'query',
      code: 'max_tokens_per_request',
      messageIncludes: 'Requested 307541 tokens, max 300000 tokens per request',
    });
  });

  it('should answer 400 for more than 2048 queries', async () => {
    await rejectsWith(client.vectorStores.search(vsId, { query: Array(2049).fill('x') }), {
      param: 'query',
      code: 'array_above_max_length',
      messageIncludes: 'Expected an array with maximum length 2048, but got an array with length 2049 instead.',
    });
  });

  it('should search with a query of 8192 tokens', async () => {
    const page = await client.vectorStores.search(vsId, { query: ' word'.repeat(8192) });
    assert.deepEqual(page.data, []);
  });

  it("should cut a model's over-long file_search query to 8192 tokens before embedding it", async () => {
    const seen: string[] = [];
    const spy: Embedder = {
      model: 'spy',
      dimensions: 512,
      embed: async (texts: string[], _opts?: EmbedOptions) => {
        seen.push(...texts);
        return { vectors: texts.map(() => new Float32Array(512)), promptTokens: 0 };
      },
    };
    const { store, clock, embeddings } = app.server.deps;
    const tenantId = await tenantOf(app, vsId);
    const results = await searchVectorStores(
      { store, clock, embeddings: { ...embeddings, retrieval: () => spy } },
      { tenantId, vectorStoreIds: [vsId], query: 'word '.repeat(100_000) },
    );
    assert.deepEqual(results, []);
    assert.equal(seen.length, 1);
    assert.equal(countTokens(seen[0]!), 8192);
  });
});

/** The tenant a vector store belongs to, read from the store (the search service takes it from the caller). */
async function tenantOf(app: TestApp, vsId: string): Promise<string> {
  const row = await app.server.deps.store.db.selectFrom('vector_stores').select('tenant_id').where('id', '=', vsId).executeTakeFirstOrThrow();
  return row.tenant_id;
}
