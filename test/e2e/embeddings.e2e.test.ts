import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { fakeEmbedding, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { errorBody } from '../fakes/chunks.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { createEmbedderRegistry } from '../../src/embeddings/registry.js';
import { ProviderError } from '../../src/providers/provider-error.js';
import { ApiError, modelNotFound } from '../../src/errors.js';

const EMBEDDINGS = '/v1/embeddings';
const LOCAL = 'universal-sentence-encoder';
const SENTENCES = ['The cat sat on the mat', 'A cat is sitting on a rug', 'Quarterly revenue grew 5%'];

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (v: number[]) => Math.sqrt(dot(v, v));

interface ErrorJson {
  error: { message: string; type: string; param: string | null; code: string | null };
}

async function rawPost(app: TestApp, body: unknown): Promise<{ status: number; json: ErrorJson }> {
  const res = await fetch(`${app.baseURL}/embeddings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEYS[0]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as ErrorJson };
}

interface UsageResult {
  model: string | null;
  input_tokens: number;
  num_model_requests: number;
}

describe('embeddings', () => {
  let fake: FakeUpstream;
  let app: TestApp;
  let client: OpenAI;

  before(async () => {
    fake = await startFakeUpstream();
    app = await createTestApp({
      env: { SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_UPSTREAM_API_KEY: 'sk-upstream-secret' },
      yaml: 'models:\n  embed-small: { provider: default, model: text-embedding-3-small }\n',
    });
    client = app.client();
  });
  after(async () => {
    await app.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  describe('local encoder', () => {
    it('should embed through the SDK default (base64) as 512-d unit vectors', async () => {
      const res = await client.embeddings.create({ model: LOCAL, input: SENTENCES });
      assert.equal(res.object, 'list');
      assert.equal(res.model, LOCAL);
      assert.deepEqual(res.data.map((d) => [d.object, d.index, d.embedding.length]), [
        ['embedding', 0, 512],
        ['embedding', 1, 512],
        ['embedding', 2, 512],
      ]);
      for (const d of res.data) assert.ok(Math.abs(norm(d.embedding) - 1) < 1e-5);
      const [cat, rug, revenue] = res.data.map((d) => d.embedding) as [number[], number[], number[]];
      assert.ok(dot(cat, rug) > dot(cat, revenue));
      assert.ok(res.usage.prompt_tokens > 10 && res.usage.total_tokens === res.usage.prompt_tokens);
      assert.equal(fake.calls.length, 0, 'served in-process');
    });

    it('should return the same floats with encoding_format float', async () => {
      const [b64, floats] = await Promise.all([
        client.embeddings.create({ model: LOCAL, input: SENTENCES[0]! }),
        client.embeddings.create({ model: LOCAL, input: SENTENCES[0]!, encoding_format: 'float' }),
      ]);
      assert.equal(floats.data[0]!.embedding.length, 512);
      assert.deepEqual(floats.data[0]!.embedding.map(Math.fround), b64.data[0]!.embedding);
    });

    it('should work with the 4.x SDK', async () => {
      const res = await app.clientV4().embeddings.create({ model: LOCAL, input: ['hello', 'world'] });
      assert.equal(res.data.length, 2);
      assert.equal(res.data[1]!.embedding.length, 512);
    });

    it('should shorten to the requested dimensions and re-normalize', async () => {
      const [full, short] = await Promise.all([
        client.embeddings.create({ model: LOCAL, input: SENTENCES[1]! }),
        client.embeddings.create({ model: LOCAL, input: SENTENCES[1]!, dimensions: 256 }),
      ]);
      const v = short.data[0]!.embedding;
      assert.equal(v.length, 256);
      assert.ok(Math.abs(norm(v) - 1) < 1e-5);
      const prefix = full.data[0]!.embedding.slice(0, 256);
      assert.ok(dot(v, prefix) / norm(prefix) > 0.9999, 'the leading dimensions, rescaled');
    });

    it('should answer to its alias', async () => {
      const res = await client.embeddings.create({ model: 'use-512', input: 'hi' });
      assert.equal(res.model, 'use-512');
      assert.equal(res.data[0]!.embedding.length, 512);
    });
  });

  describe('validation', () => {
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['token inputs', { model: LOCAL, input: [1, 2, 3] }, 'input', 'token inputs are not supported by this model'],
      ['token arrays', { model: LOCAL, input: [[1, 2]] }, 'input', 'token inputs are not supported by this model'],
      ['an empty string', { model: LOCAL, input: ['a', ''] }, 'input', "Invalid 'input[1]': empty string"],
      ['more than 2048 inputs', { model: LOCAL, input: Array(2049).fill('x') }, 'input', 'maximum length 2048'],
      ['more than 2048 inputs to an upstream model', { model: 'text-embedding-3-small', input: Array(2049).fill('x') }, 'input', 'but got an array with length 2049'],
      ['more than 2048 token arrays', { model: 'text-embedding-3-small', input: Array(2049).fill([1]) }, 'input', 'maximum length 2048'],
      // 'word ' × 9000 is 9,001 o200k tokens; 41 × ('word ' × 7500) is 41 × 7,501.
      ['an input over 8192 tokens', { model: LOCAL, input: ['hi', 'word '.repeat(9000)] }, 'input', "This model's maximum context length is 8192 tokens, however you requested 9001 tokens"],
      ['over 300,000 tokens in all', { model: LOCAL, input: Array(41).fill('word '.repeat(7500)) }, 'input', 'Requested 307541 tokens, max 300000 tokens per request'],
      ['an empty array', { model: LOCAL, input: [] }, 'input', 'empty array'],
      ['a missing input', { model: LOCAL }, 'input', "Missing required parameter: 'input'"],
      ['an object input', { model: LOCAL, input: { text: 'x' } }, 'input', 'but got an object instead'],
      ['too many dimensions', { model: LOCAL, input: 'x', dimensions: 1024 }, 'dimensions', 'at most 512'],
      ['zero dimensions', { model: LOCAL, input: 'x', dimensions: 0 }, 'dimensions', 'Expected a value >= 1'],
      ['a bad encoding_format', { model: LOCAL, input: 'x', encoding_format: 'hex' }, 'encoding_format', "'float' and 'base64'"],
      ['a missing model', { input: 'x' }, 'model', "Missing required parameter: 'model'"],
    ];
    for (const [name, body, param, message] of cases) {
      it(`should answer 400 for ${name}`, async () => {
        const { status, json } = await rawPost(app, body);
        assert.equal(status, 400);
        assert.equal(json.error.type, 'invalid_request_error');
        assert.equal(json.error.param, param);
        assert.ok(json.error.message.includes(message), json.error.message);
        assert.equal(fake.calls.length, 0);
      });
    }

    it("should answer OpenAI's codes for the token limits", async () => {
      const long = await rawPost(app, { model: LOCAL, input: 'word '.repeat(9000) });
      assert.deepEqual([long.status, long.json.error.code], [400, null]);
      const many = await rawPost(app, { model: LOCAL, input: Array(41).fill('word '.repeat(7500)) });
      assert.deepEqual([many.status, many.json.error.code], [400, 'max_tokens_per_request']);
    });

    it('should embed an input of exactly 8192 tokens', async () => {
      const res = await client.embeddings.create({ model: LOCAL, input: ' word'.repeat(8192) });
      assert.equal(res.usage.prompt_tokens, 8192);
      assert.equal(res.data[0]!.embedding.length, 512);
      assert.ok(Math.abs(norm(res.data[0]!.embedding) - 1) < 1e-5);
    });

    it('should raise BadRequestError in the SDK', async () => {
      const err = await client.embeddings.create({ model: LOCAL, input: '' }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.param, 'input');
    });
  });

  describe('upstream models', () => {
    it('should pass the request to the upstream with its key', async () => {
      const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], user: 'u1' });
      assert.equal(fake.calls.length, 1);
      const call = fake.calls[0]!;
      assert.equal(call.path, EMBEDDINGS);
      assert.equal(call.headers.authorization, 'Bearer sk-upstream-secret');
      assert.deepEqual(call.body, { model: 'text-embedding-3-small', input: ['alpha', 'beta'], user: 'u1', encoding_format: 'base64' });
      assert.deepEqual(res.data[1]!.embedding, fakeEmbedding('beta'));
    });

    it('should send the upstream name of a routed model and pass floats through', async () => {
      const res = await client.embeddings.create({ model: 'embed-small', input: 'alpha', encoding_format: 'float', dimensions: 8 });
      assert.deepEqual(fake.calls[0]!.body, { model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'float', dimensions: 8 });
      assert.deepEqual(res.data[0]!.embedding, fakeEmbedding('alpha'));
    });

    it('should pass token inputs through to the upstream', async () => {
      await client.embeddings.create({ model: 'text-embedding-3-small', input: [[1, 2], [3]] });
      assert.deepEqual(fake.calls[0]!.body.input, [[1, 2], [3]]);
    });

    it("should pass the upstream's 4xx through", async () => {
      fake.enqueue(EMBEDDINGS, { type: 'error', status: 400, body: errorBody('Bad dimensions.', 'invalid_request_error', null, 'dimensions') });
      const err = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.message, '400 Bad dimensions.');
      assert.equal(err.param, 'dimensions');
    });

    it("should answer 502 for the upstream's 500", async () => {
      fake.enqueue(EMBEDDINGS, { type: 'error', status: 500 });
      const err = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.InternalServerError);
      assert.equal(err.status, 502);
      assert.equal(err.code, 'upstream_error');
    });
  });

  describe('usage', () => {
    it('should record local and upstream embeddings per model, as embeddings usage', async () => {
      const other = app.client(TEST_KEYS[1]);
      const local = await other.embeddings.create({ model: LOCAL, input: SENTENCES });
      await other.embeddings.create({ model: 'text-embedding-3-small', input: ['abcdefgh', 'abcd'] });
      await app.server.deps.usage.flush();
      const page = await other.get<{ data: Array<{ results: UsageResult[] }> }>('/organization/usage/embeddings', {
        query: { start_time: Math.floor(Date.now() / 86_400_000) * 86_400, group_by: ['model'] },
      });
      const byModel = Object.fromEntries(page.data.flatMap((b) => b.results).map((r) => [r.model, [r.input_tokens, r.num_model_requests]]));
      // The fake counts ceil(length / 4) tokens per input: 2 + 1.
      assert.deepEqual(byModel, { [LOCAL]: [local.usage.prompt_tokens, 1], 'text-embedding-3-small': [3, 1] });
    });
  });

  describe('embedder registry', () => {
    const silent = { info: () => {} };

    it('should give file_search the local encoder by default', () => {
      const retrieval = app.server.deps.embeddings.retrieval();
      assert.equal(retrieval.model, LOCAL);
      assert.equal(retrieval.dimensions, 512);
      assert.equal(app.server.deps.embeddings.resolve('use-512'), retrieval);
      assert.deepEqual(app.server.deps.embeddings.listModels().map((m) => m.id), [LOCAL, 'use-512']);
    });

    it('should embed with a configured upstream model, discovering its dimensions', async () => {
      const registry = createEmbedderRegistry({
        config: { retrievalEmbeddingModel: 'embed-small' },
        providers: app.server.deps.providers,
        log: silent,
      });
      const embedder = registry.retrieval();
      assert.equal(embedder.model, 'embed-small');
      assert.equal(embedder.dimensions, 0);
      const { vectors, promptTokens } = await embedder.embed(['alpha', 'beta gamma']);
      assert.equal(embedder.dimensions, 8);
      assert.deepEqual(Array.from(vectors[1]!), fakeEmbedding('beta gamma'));
      assert.equal(promptTokens, 2 + 3);
      assert.deepEqual(fake.calls[0]!.body, { model: 'text-embedding-3-small', input: ['alpha', 'beta gamma'], encoding_format: 'float' });
      await registry.close();
    });

    it('should throw a ProviderError when the upstream fails', async () => {
      fake.enqueue(EMBEDDINGS, { type: 'error', status: 500 });
      const embedder = app.server.deps.embeddings.resolve('text-embedding-3-small');
      await assert.rejects(embedder.embed(['x']), (err: unknown) => err instanceof ProviderError && err.statusCode === 500);
    });

    it('should serve local names and their aliases in-process, and route the rest to the providers', () => {
      const registry = createEmbedderRegistry({
        config: { retrievalEmbeddingModel: LOCAL },
        providers: {
          aliasOf: (model) => (model === 'my-embed' ? 'use-512' : model),
          route: (model) => { throw modelNotFound(model, 'No provider.'); },
        },
        log: silent,
      });
      assert.equal(registry.resolve('my-embed').model, LOCAL);
      assert.equal(registry.local('text-embedding-3-small'), undefined);
      assert.throws(() => registry.resolve('text-embedding-3-small'), (err: unknown) => err instanceof ApiError && err.status === 404);
    });
  });
});
