import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { Assistant } from 'openai/resources/beta/assistants';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';

const x = (n: number) => 'x'.repeat(n);
const manyKeys = (n: number, keyLength = 4, valueLength = 1) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i).padStart(keyLength, 'k'), x(valueLength)]));
const fn = (name: string) => ({ type: 'function', function: { name } });

/** Bodies OpenAI rejects: [what, body, param, code]. */
const INVALID: Array<[string, Record<string, unknown>, string, string]> = [
  ['a missing model', { model: undefined }, 'model', 'missing_required_parameter'],
  ['a model that is not a string', { model: 5 }, 'model', 'invalid_type'],
  ['a name over 256 characters', { name: x(257) }, 'name', 'string_above_max_length'],
  ['a description over 512 characters', { description: x(513) }, 'description', 'string_above_max_length'],
  ['instructions over 256,000 characters', { instructions: x(256_001) }, 'instructions', 'string_above_max_length'],
  ['more than 128 tools', { tools: Array.from({ length: 129 }, () => ({ type: 'code_interpreter' })) }, 'tools', 'array_above_max_length'],
  ['an unknown tool type', { tools: [{ type: 'browser' }] }, 'tools[0].type', 'invalid_value'],
  ['a function without its definition', { tools: [{ type: 'function' }] }, 'tools[0].function', 'missing_required_parameter'],
  ['a function name with a space', { tools: [fn('get weather')] }, 'tools[0].function.name', 'invalid_value'],
  ['an empty function name', { tools: [fn('')] }, 'tools[0].function.name', 'invalid_value'],
  ['a function name over 64 characters', { tools: [fn(x(65))] }, 'tools[0].function.name', 'string_above_max_length'],
  ['function parameters that are not an object', { tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }, 'tools[0].function.parameters', 'invalid_type'],
  ['max_num_results above 50', { tools: [{ type: 'file_search', file_search: { max_num_results: 51 } }] }, 'tools[0].file_search.max_num_results', 'integer_above_max_value'],
  ['max_num_results below 1', { tools: [{ type: 'file_search', file_search: { max_num_results: 0 } }] }, 'tools[0].file_search.max_num_results', 'integer_below_min_value'],
  ['a score_threshold above 1', { tools: [{ type: 'file_search', file_search: { ranking_options: { score_threshold: 1.5 } } }] }, 'tools[0].file_search.ranking_options.score_threshold', 'decimal_above_max_value'],
  ['a temperature above 2', { temperature: 2.5 }, 'temperature', 'decimal_above_max_value'],
  ['a temperature below 0', { temperature: -0.1 }, 'temperature', 'decimal_below_min_value'],
  ['a top_p above 1', { top_p: 1.01 }, 'top_p', 'decimal_above_max_value'],
  ['an unknown reasoning_effort', { reasoning_effort: 'extreme' }, 'reasoning_effort', 'invalid_value'],
  ['an unknown response_format string', { response_format: 'json' }, 'response_format', 'invalid_value'],
  ['an unknown response_format type', { response_format: { type: 'xml' } }, 'response_format.type', 'invalid_value'],
  ['a json_schema without a name', { response_format: { type: 'json_schema', json_schema: {} } }, 'response_format.json_schema.name', 'missing_required_parameter'],
  ['more than 16 metadata pairs', { metadata: manyKeys(17) }, 'metadata', 'object_above_max_properties'],
  ['a metadata key over 64 characters', { metadata: { [x(65)]: 'v' } }, 'metadata', 'string_above_max_length'],
  ['a metadata value over 512 characters', { metadata: { k: x(513) } }, 'metadata.k', 'string_above_max_length'],
  ['a metadata value that is not a string', { metadata: { k: 1 } }, 'metadata.k', 'invalid_type'],
  ['more than 20 code_interpreter files', { tool_resources: { code_interpreter: { file_ids: Array.from({ length: 21 }, (_, i) => `file-${i}`) } } }, 'tool_resources.code_interpreter.file_ids', 'array_above_max_length'],
  ['more than 1 vector store', { tool_resources: { file_search: { vector_store_ids: ['vs_1', 'vs_2'] } } }, 'tool_resources.file_search.vector_store_ids', 'array_above_max_length'],
  ['an inline vector store (not supported yet)', { tool_resources: { file_search: { vector_stores: [{}] } } }, 'tool_resources.file_search.vector_stores', 'unsupported_parameter'],
];

for (const dialect of testDialects()) {
  describe(`assistants (${dialect})`, () => {
    let app: TestApp;
    let client: OpenAI;
    let other: OpenAI;
    let mine: Assistant;
    let theirs: Assistant;
    /** A file and a vector store of the tenant, for tool_resources (ids must be the tenant's). */
    let fileId: string;
    let vectorStoreId: string;

    before(async () => {
      app = await createTestApp({ dialect });
      client = app.client(TEST_KEYS[0]);
      other = app.client(TEST_KEYS[1]);
      mine = await client.beta.assistants.create({ model: 'gpt-4o', name: 'mine' });
      theirs = await other.beta.assistants.create({ model: 'gpt-4o', name: 'theirs' });
      fileId = (await client.files.create({ file: await toFile(Buffer.from('notes'), 'notes.txt'), purpose: 'assistants' })).id;
      vectorStoreId = (await client.vectorStores.create({})).id;
    });
    after(() => app.close());

    it('should create an assistant with OpenAI defaults, every field present', async () => {
      const before = Math.floor(Date.now() / 1000);
      const a = await client.beta.assistants.create({ model: 'gpt-4o-mini' });
      assert.match(a.id, /^asst_[A-Za-z0-9]{24}$/);
      assert.ok(a.created_at >= before - 1 && a.created_at <= Date.now() / 1000 + 1);
      assert.deepEqual(a, {
        id: a.id,
        object: 'assistant',
        created_at: a.created_at,
        name: null,
        description: null,
        model: 'gpt-4o-mini',
        instructions: null,
        tools: [],
        tool_resources: {},
        metadata: {},
        temperature: 1,
        top_p: 1,
        response_format: 'auto',
      });
    });

    it('should store every create field and return it on retrieve', async () => {
      const params = {
        model: 'gpt-4o',
        name: 'Math Tutor',
        description: 'Helps with maths',
        instructions: 'You are a personal math tutor.',
        tools: [
          { type: 'code_interpreter' as const },
          { type: 'file_search' as const, file_search: { max_num_results: 5, ranking_options: { ranker: 'auto' as const, score_threshold: 0.5 } } },
          {
            type: 'function' as const,
            function: {
              name: 'get_weather',
              description: 'Weather of a city',
              parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { city: { type: 'string' } } },
              strict: true,
            },
          },
        ],
        tool_resources: { code_interpreter: { file_ids: [fileId] }, file_search: { vector_store_ids: [vectorStoreId] } },
        metadata: { team: 'maths' },
        temperature: 0.2,
        top_p: 0.9,
        reasoning_effort: 'low' as const,
        response_format: {
          type: 'json_schema' as const,
          json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
        },
      };
      const created = await client.beta.assistants.create(params);
      const { reasoning_effort: _, ...shown } = params;
      assert.deepEqual(created, { id: created.id, object: 'assistant', created_at: created.created_at, ...shown });
      assert.deepEqual(await client.beta.assistants.retrieve(created.id), created);
    });

    it('should ignore unknown fields instead of rejecting them', async () => {
      const a = await client.post<Assistant>('/assistants', {
        body: { model: 'gpt-4o', surprise: true, tools: [{ type: 'code_interpreter', extra: 1 }] },
      });
      assert.equal((a as unknown as Record<string, unknown>).surprise, undefined);
      assert.deepEqual(a.tools, [{ type: 'code_interpreter' }]);
    });

    it('should accept every value at its limit', async () => {
      const upload = async (i: number) => client.files.create({ file: await toFile(Buffer.from(`f${i}`), `f${i}.txt`), purpose: 'assistants' });
      const files = await Promise.all(Array.from({ length: 20 }, (_, i) => upload(i)));
      const a = await client.beta.assistants.create({
        model: 'gpt-4o',
        name: x(256),
        description: x(512),
        instructions: x(256_000),
        tools: Array.from({ length: 128 }, (_, i) => ({ type: 'function' as const, function: { name: `f${i}_${x(60)}`.slice(0, 64) } })),
        metadata: manyKeys(16, 64, 512),
        temperature: 2,
        top_p: 0,
        tool_resources: { code_interpreter: { file_ids: files.map((f) => f.id) } },
      });
      assert.equal(a.tools.length, 128);
      assert.equal(Object.keys(a.metadata ?? {}).length, 16);
      assert.equal(a.temperature, 2);
      assert.equal(a.top_p, 0);
    });

    for (const [what, body, param, code] of INVALID) {
      it(`should reject ${what} with 400 param ${param}`, async () => {
        await rejectsWith(client.post('/assistants', { body: { model: 'gpt-4o', ...body } }), { param, code });
      });
    }

    it('should word validation errors as OpenAI does', async () => {
      await rejectsWith(client.post('/assistants', { body: {} }), {
        param: 'model',
        message: "Missing required parameter: 'model'.",
      });
      await rejectsWith(client.post('/assistants', { body: { model: 'm', name: x(300) } }), {
        param: 'name',
        message: "Invalid 'name': string too long. Expected a string with maximum length 256, but got a string with length 300 instead.",
      });
      await rejectsWith(client.post('/assistants', { body: { model: 'm', tools: [{ type: 'browser' }] } }), {
        param: 'tools[0].type',
        message: "Invalid value: 'browser'. Supported values are: 'code_interpreter', 'function', and 'file_search'.",
      });
      await rejectsWith(client.post('/assistants', { body: { model: 'm', temperature: 3 } }), {
        param: 'temperature',
        message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
      });
      await rejectsWith(client.post('/assistants', { body: { model: 'm', metadata: manyKeys(17) } }), {
        param: 'metadata',
        message:
          "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.",
      });
    });

    it('should update only the given fields, null clearing nullable ones', async () => {
      const a = await client.beta.assistants.create({
        model: 'gpt-4o',
        name: 'before',
        description: 'kept',
        metadata: { a: '1' },
        tools: [{ type: 'code_interpreter' }],
      });
      const updated = await client.beta.assistants.update(a.id, {
        name: null,
        model: 'gpt-4.1',
        instructions: 'Be terse.',
        metadata: { b: '2' },
        tools: [{ type: 'file_search' }],
        temperature: 0.5,
        response_format: { type: 'json_object' },
        tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
      });
      assert.deepEqual(updated, {
        ...a,
        name: null,
        model: 'gpt-4.1',
        instructions: 'Be terse.',
        metadata: { b: '2' },
        tools: [{ type: 'file_search' }],
        temperature: 0.5,
        response_format: { type: 'json_object' },
        tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
      });
      assert.deepEqual(await client.beta.assistants.retrieve(a.id), updated);
      assert.deepEqual(await client.beta.assistants.update(a.id, {}), updated);
      const cleared = await client.beta.assistants.update(a.id, { metadata: null, response_format: null, temperature: null });
      assert.deepEqual([cleared.metadata, cleared.response_format, cleared.temperature], [{}, 'auto', null]);
    });

    it('should validate updates like creates', async () => {
      await rejectsWith(client.beta.assistants.update(mine.id, { name: x(257) }), { param: 'name', code: 'string_above_max_length' });
      await rejectsWith(client.beta.assistants.update(mine.id, { top_p: 2 }), { param: 'top_p', code: 'decimal_above_max_value' });
      await rejectsWith(client.post(`/assistants/${mine.id}`, { body: { model: 7 } }), { param: 'model', code: 'invalid_type' });
    });

    it('should delete an assistant, then answer 404 for it', async () => {
      const a = await client.beta.assistants.create({ model: 'gpt-4o' });
      assert.deepEqual(await client.beta.assistants.delete(a.id), { id: a.id, object: 'assistant.deleted', deleted: true });
      const message = `No assistant found with id '${a.id}'.`;
      await rejectsWith(client.beta.assistants.retrieve(a.id), { status: 404, param: null, code: null, message });
      await rejectsWith(client.beta.assistants.update(a.id, { name: 'x' }), { status: 404, param: null, message });
      await rejectsWith(client.beta.assistants.delete(a.id), { status: 404, param: null, message });
    });

    it("should hide another tenant's assistant on every route", async () => {
      const message = `No assistant found with id '${theirs.id}'.`;
      await rejectsWith(client.beta.assistants.retrieve(theirs.id), { status: 404, param: null, message });
      await rejectsWith(client.beta.assistants.update(theirs.id, { name: 'stolen' }), { status: 404, param: null, message });
      await rejectsWith(client.beta.assistants.delete(theirs.id), { status: 404, param: null, message });
      await rejectsWith(other.beta.assistants.retrieve(mine.id), { status: 404, param: null });
      assert.equal((await other.beta.assistants.retrieve(theirs.id)).name, 'theirs');
    });

    it("should list only the caller's assistants", async () => {
      const ids = [];
      for await (const a of client.beta.assistants.list({ limit: 100 })) ids.push(a.id);
      assert.ok(ids.includes(mine.id));
      assert.ok(!ids.includes(theirs.id));
      const theirIds = [];
      for await (const a of other.beta.assistants.list()) theirIds.push(a.id);
      assert.deepEqual(theirIds, [theirs.id]);
      await rejectsWith(other.beta.assistants.list({ after: mine.id }), { param: 'after' });
    });

    it('should work with the 4.x SDK', async () => {
      const v4 = app.clientV4();
      const a = await v4.beta.assistants.create({ model: 'gpt-4o', name: 'v4', tools: [{ type: 'code_interpreter' }] });
      assert.deepEqual(await v4.beta.assistants.retrieve(a.id), a);
      assert.equal((await v4.beta.assistants.update(a.id, { name: 'v4b' })).name, 'v4b');
      const page = await v4.beta.assistants.list({ limit: 1 });
      assert.equal(page.data[0]?.id, a.id);
      assert.deepEqual(await v4.beta.assistants.del(a.id), { id: a.id, object: 'assistant.deleted', deleted: true });
    });
  });

  describe(`assistants pagination (${dialect})`, () => {
    let app: TestApp;
    let client: OpenAI;
    /** Creation order. */
    const ids: string[] = [];

    before(async () => {
      app = await createTestApp({ dialect });
      client = app.client();
      for (let i = 0; i < 5; i++) ids.push((await client.beta.assistants.create({ model: 'gpt-4o', name: `a${i}` })).id);
      await app.client(TEST_KEYS[1]).beta.assistants.create({ model: 'gpt-4o' });
    });
    after(() => app.close());

    const desc = () => [...ids].reverse();

    it('should auto-paginate through all assistants, newest first', async () => {
      const seen = [];
      for await (const a of client.beta.assistants.list({ limit: 2 })) seen.push(a.id);
      assert.deepEqual(seen, desc());
    });

    it('should set has_more exactly on each page', async () => {
      const pages = [];
      for await (const page of (await client.beta.assistants.list({ limit: 2 })).iterPages())
        pages.push([page.data.map((a) => a.id), page.has_more]);
      const d = desc();
      assert.deepEqual(pages, [
        [[d[0], d[1]], true],
        [[d[2], d[3]], true],
        [[d[4]], false],
      ]);
      assert.equal((await client.beta.assistants.list({ limit: 5 })).has_more, false);
      assert.equal((await client.beta.assistants.list({ limit: 4 })).has_more, true);
    });

    it('should name the first and last ids of a page', async () => {
      const page = await client.get<{ first_id: string | null; last_id: string | null; object: string }>('/assistants', {
        query: { limit: 2, after: ids[4] },
      });
      assert.deepEqual([page.object, page.first_id, page.last_id], ['list', ids[3], ids[2]]);
      const empty = await client.get<{ first_id: string | null; last_id: string | null }>('/assistants', {
        query: { after: ids[0] },
      });
      assert.deepEqual([empty.first_id, empty.last_id], [null, null]);
    });

    it('should list oldest first with order asc', async () => {
      const seen = [];
      for await (const a of client.beta.assistants.list({ limit: 2, order: 'asc' })) seen.push(a.id);
      assert.deepEqual(seen, ids);
    });

    it('should continue after a cursor', async () => {
      const page = await client.beta.assistants.list({ after: ids[3], limit: 2 });
      assert.deepEqual(page.data.map((a) => a.id), [ids[2], ids[1]]);
      assert.equal(page.has_more, true);
      const asc = await client.beta.assistants.list({ after: ids[2], order: 'asc' });
      assert.deepEqual(asc.data.map((a) => a.id), [ids[3], ids[4]]);
      assert.equal(asc.has_more, false);
    });

    it('should list the objects just before a cursor', async () => {
      const page = await client.beta.assistants.list({ before: ids[1], limit: 2 });
      assert.deepEqual(page.data.map((a) => a.id), [ids[3], ids[2]]);
      assert.equal(page.has_more, true);
      const asc = await client.beta.assistants.list({ before: ids[2], order: 'asc' });
      assert.deepEqual(asc.data.map((a) => a.id), [ids[0], ids[1]]);
      assert.equal(asc.has_more, false);
    });

    it('should reject bad list parameters', async () => {
      await rejectsWith(client.beta.assistants.list({ after: 'asst_nope' }), { param: 'after' });
      await rejectsWith(client.beta.assistants.list({ limit: 0 }), { param: 'limit', code: 'integer_below_min_value' });
      await rejectsWith(client.beta.assistants.list({ limit: 101 }), { param: 'limit', code: 'integer_above_max_value' });
      await rejectsWith(client.get('/assistants', { query: { order: 'sideways' } }), { param: 'order', code: 'invalid_value' });
    });
  });
}
