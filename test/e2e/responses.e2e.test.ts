import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { Response } from 'openai/resources/responses/responses';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';
import { until } from '../support/until.js';

const COMPLETIONS = '/v1/chat/completions';
const answer = (text: string) => ({ type: 'sse' as const, chunks: chatChunks({ content: text, usage: { prompt_tokens: 11, completion_tokens: 4 } }) });
const textOf = (r: Response): string =>
  r.output.flatMap((i) => (i.type === 'message' ? i.content.map((p) => (p.type === 'output_text' ? p.text : '')) : [])).join('');

/** A response without what the SDK adds on its side (output_text; the stream helper's parsed fields). */
const wire = (r: Response): unknown =>
  JSON.parse(JSON.stringify(r, (k, v: unknown) => (['output_text', 'output_parsed', 'parsed', 'parsed_arguments'].includes(k) ? undefined : v)));

for (const dialect of testDialects()) {
  describe(`responses (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    let other: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client(TEST_KEYS[0]);
      other = app.client(TEST_KEYS[1]);
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());
    const upstreamMessages = (i: number) => fake.calls.filter((c) => c.path === COMPLETIONS)[i]!.body.messages;

    it('should answer a string input with a completed response, stored and retrievable', async () => {
      fake.enqueue(COMPLETIONS, answer('Paris.'));
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Capital of France?', instructions: 'Be brief.', temperature: 0.3, max_output_tokens: 100 });
      assert.match(r.id, /^resp_[A-Za-z0-9]{24}$/);
      assert.equal(r.object, 'response');
      assert.equal(r.status, 'completed');
      assert.equal(r.output_text, 'Paris.');
      assert.equal(r.output.length, 1);
      const message = r.output[0]!;
      assert.equal(message.type, 'message');
      assert.deepEqual(message.type === 'message' && { ...message, id: '' }, {
        id: '',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Paris.', annotations: [], logprobs: [] }],
      });
      assert.deepEqual(r.usage, {
        input_tokens: 11,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 4,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 15,
      });
      assert.equal(r.instructions, 'Be brief.');
      assert.equal(r.temperature, 0.3);
      assert.equal(r.max_output_tokens, 100);
      assert.equal((r as Response & { store?: boolean }).store, true);
      assert.equal(r.previous_response_id, null);
      const body = fake.calls[0]!.body;
      assert.deepEqual(body.messages, [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ]);
      assert.equal(body.model, 'gpt-4o-mini');
      assert.equal(body.temperature, 0.3);
      assert.equal(body.max_completion_tokens ?? body.max_tokens, 100);
      const { output_text: _a, ...created } = r;
      const { output_text: _b, ...retrieved } = await client.responses.retrieve(r.id);
      assert.deepEqual(retrieved, created);
    });

    it('should send an item list with developer, system and assistant turns in order', async () => {
      fake.enqueue(COMPLETIONS, answer('Four.'));
      const r = await client.responses.create({
        model: 'gpt-4o-mini',
        input: [
          { role: 'developer', content: 'Answer with a word.' },
          { role: 'user', content: 'Two plus one?' },
          { role: 'assistant', content: 'Three.' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Plus one?' }] },
        ],
      });
      assert.equal(r.output_text, 'Four.');
      assert.deepEqual(upstreamMessages(0), [
        { role: 'system', content: 'Answer with a word.' },
        { role: 'user', content: 'Two plus one?' },
        { role: 'assistant', content: 'Three.' },
        { role: 'user', content: 'Plus one?' },
      ]);
      const items = await client.responses.inputItems.list(r.id, { order: 'asc' });
      assert.deepEqual(
        items.data.map((i) => i.type === 'message' && [i.role, i.content[0]?.type]),
        [
          ['developer', 'input_text'],
          ['user', 'input_text'],
          ['assistant', 'output_text'],
          ['user', 'input_text'],
        ],
      );
      const desc = await client.responses.inputItems.list(r.id, { limit: 2 });
      assert.deepEqual(
        desc.data.map((i) => i.id),
        [items.data[3]!.id, items.data[2]!.id],
      );
      assert.equal(desc.has_more, true);
    });

    it('should continue a chain by previous_response_id without carrying the instructions over', async () => {
      fake.enqueue(COMPLETIONS, answer('Hi, Ann.'), answer('Your name is Ann.'));
      const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'I am Ann.', instructions: 'Be warm.' });
      const second = await client.responses.create({ model: 'gpt-4o-mini', input: 'Who am I?', previous_response_id: first.id, instructions: 'Be exact.' });
      assert.equal(second.previous_response_id, first.id);
      assert.equal(second.instructions, 'Be exact.');
      assert.equal(second.output_text, 'Your name is Ann.');
      assert.deepEqual(upstreamMessages(1), [
        { role: 'system', content: 'Be exact.' },
        { role: 'user', content: 'I am Ann.' },
        { role: 'assistant', content: 'Hi, Ann.' },
        { role: 'user', content: 'Who am I?' },
      ]);
      const items = await client.responses.inputItems.list(second.id);
      assert.deepEqual(
        items.data.map((i) => i.type === 'message' && i.content[0]?.type === 'input_text' && i.content[0].text),
        ['Who am I?'],
      );
    });

    it('should branch a chain: a second continuation of one response sees the chain up to it, not the first branch', async () => {
      fake.enqueue(COMPLETIONS, answer('Noted: blue.'), answer('Blue.'), answer('Still blue.'));
      const root = await client.responses.create({ model: 'gpt-4o-mini', input: 'My color is blue.' });
      await client.responses.create({ model: 'gpt-4o-mini', input: 'Say it once.', previous_response_id: root.id });
      const branch = await client.responses.create({ model: 'gpt-4o-mini', input: 'And again?', previous_response_id: root.id });
      assert.equal(branch.output_text, 'Still blue.');
      assert.deepEqual(upstreamMessages(2), [
        { role: 'user', content: 'My color is blue.' },
        { role: 'assistant', content: 'Noted: blue.' },
        { role: 'user', content: 'And again?' },
      ]);
      fake.enqueue(COMPLETIONS, answer('Blue, third time.'));
      await client.responses.create({ model: 'gpt-4o-mini', input: 'Once more?', previous_response_id: branch.id });
      assert.deepEqual(upstreamMessages(3).slice(-3), [
        { role: 'user', content: 'And again?' },
        { role: 'assistant', content: 'Still blue.' },
        { role: 'user', content: 'Once more?' },
      ]);
      assert.equal(upstreamMessages(3).length, 5);
    });

    it('should resolve item references and take earlier output items passed back as input (a stateless tool loop)', async () => {
      fake.enqueue(COMPLETIONS, answer('Red.'));
      const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'A color?' });
      const [inputItem] = (await client.responses.inputItems.list(first.id)).data;
      fake.enqueue(COMPLETIONS, answer('Green.'));
      await client.responses.create({
        model: 'gpt-4o-mini',
        input: [
          { type: 'item_reference', id: inputItem!.id },
          { type: 'item_reference', id: first.output[0]!.id ?? '' },
          { role: 'user', content: 'Another?' },
        ],
      });
      assert.deepEqual(upstreamMessages(1), [
        { role: 'user', content: 'A color?' },
        { role: 'assistant', content: 'Red.' },
        { role: 'user', content: 'Another?' },
      ]);
      await rejectsWith(
        other.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'item_reference', id: inputItem!.id }] }),
        { status: 404, param: 'input[0].id' },
      );
      fake.enqueue(COMPLETIONS, answer('Done.'));
      await client.responses.create({
        model: 'gpt-4o-mini',
        store: false,
        input: [
          { role: 'user', content: 'Weather?' },
          { type: 'function_call', id: 'fc_abc', call_id: 'call_x', name: 'get_weather', arguments: '{}', status: 'completed' },
          { type: 'function_call_output', call_id: 'call_x', output: 'rain' },
        ],
      });
      assert.deepEqual(upstreamMessages(2), [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_x', content: 'rain' },
      ]);
    });

    it('should answer 400 with param previous_response_id for an unknown, foreign or unstored one', async () => {
      const unknown = 'resp_unknown000000000000000000';
      const want = (id: string) => ({ status: 400, param: 'previous_response_id', message: `Previous response with id '${id}' not found.` });
      await rejectsWith(client.responses.create({ model: 'gpt-4o-mini', input: 'x', previous_response_id: unknown }), want(unknown));
      const foreign = await other.responses.create({ model: 'gpt-4o-mini', input: 'mine' });
      await rejectsWith(client.responses.create({ model: 'gpt-4o-mini', input: 'x', previous_response_id: foreign.id }), want(foreign.id));
      const unstored = await client.responses.create({ model: 'gpt-4o-mini', input: 'x', store: false });
      await rejectsWith(client.responses.create({ model: 'gpt-4o-mini', input: 'y', previous_response_id: unstored.id }), want(unstored.id));
    });

    it('should keep nothing of a store:false response', async () => {
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Forget me.', store: false });
      assert.equal(r.status, 'completed');
      assert.equal((r as Response & { store?: boolean }).store, false);
      assert.equal(r.output_text, 'Hello from the fake upstream.');
      await rejectsWith(client.responses.retrieve(r.id), { status: 404, message: `No response found with id '${r.id}'.` });
      const db = app.server.deps.store.db;
      assert.equal((await db.selectFrom('responses').select('id').where('id', '=', r.id).execute()).length, 0);
      assert.equal((await db.selectFrom('messages').select('id').where('content', 'like', '%Forget me.%').execute()).length, 0);
    });

    it('should run a background response: queued at once, then completed', async () => {
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Take your time.', background: true });
      assert.equal(r.background, true);
      assert.ok(r.status === 'queued' || r.status === 'in_progress', r.status);
      const done = await until(() => client.responses.retrieve(r.id), (x) => x.status === 'completed');
      assert.equal(done.status, 'completed');
      assert.equal(done.output_text, 'Hello from the fake upstream.');
      assert.equal(fake.calls.length, 1);
    });

    it('should cancel a background response, and refuse to cancel a synchronous one', async () => {
      fake.enqueue(COMPLETIONS, { type: 'hang' });
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Slow.', background: true });
      await until(() => fake.calls.length, (n) => n === 1);
      const cancelled = await client.responses.cancel(r.id);
      assert.equal(cancelled.status, 'cancelled');
      const settled = await until(() => app.server.deps.store.db.selectFrom('runs').select('status').innerJoin('responses', 'responses.run_id', 'runs.id').where('responses.id', '=', r.id).executeTakeFirstOrThrow(), (x) => x.status === 'cancelled');
      assert.equal(settled.status, 'cancelled');
      const sync = await client.responses.create({ model: 'gpt-4o-mini', input: 'x' });
      await rejectsWith(client.responses.cancel(sync.id), { status: 400, message: 'Cannot cancel a synchronous response.' });
    });

    it('should delete a background response still going: nothing left, its upstream call let go', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Delete me mid-way.', background: true });
      await until(() => fake.calls.length, (n) => n === 1);
      await client.responses.delete(r.id);
      await rejectsWith(client.responses.retrieve(r.id), { status: 404 });
      const db = app.server.deps.store.db;
      assert.equal((await db.selectFrom('messages').select('id').where('content', 'like', '%Delete me mid-way.%').execute()).length, 0);
      // The worker let go of the upstream call (the run is cancelled before its rows go).
      assert.equal(await until(() => upstream.isAborted(), (aborted) => aborted), true);
    });

    it("should answer 404 for another tenant's response, and delete one", async () => {
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Mine.' });
      const notFound = { status: 404, message: `No response found with id '${r.id}'.` };
      await rejectsWith(other.responses.retrieve(r.id), notFound);
      await rejectsWith(other.responses.inputItems.list(r.id), notFound);
      await rejectsWith(other.responses.delete(r.id), notFound);
      await rejectsWith(other.responses.cancel(r.id), notFound);
      const deleted = await client.delete<{ id: string; object: string; deleted: boolean }>(`/responses/${r.id}`);
      assert.deepEqual(deleted, { id: r.id, object: 'response', deleted: true });
      await rejectsWith(client.responses.retrieve(r.id), notFound);
      const db = app.server.deps.store.db;
      assert.equal((await db.selectFrom('messages').select('id').where('content', 'like', '%Mine.%').execute()).length, 0);
    });

    it('should hide a response thread from the threads and conversations APIs', async () => {
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hidden.' });
      const db = app.server.deps.store.db;
      const { thread_id } = await db.selectFrom('responses').select('thread_id').where('id', '=', r.id).executeTakeFirstOrThrow();
      await rejectsWith(client.beta.threads.retrieve(thread_id), { status: 404 });
      await rejectsWith(client.beta.threads.messages.list(thread_id), { status: 404 });
      await rejectsWith(client.conversations.items.list(thread_id), { status: 404 });
      await rejectsWith(client.beta.threads.delete(thread_id), { status: 404 });
    });

    it('should run on a conversation: its history in, input and output appended to it', async () => {
      fake.enqueue(COMPLETIONS, answer('Hello, Bob.'), answer('Bob.'));
      const conv = await client.conversations.create({ items: [{ role: 'user', content: 'I am Bob.' }] });
      const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Greet me.', conversation: conv.id });
      assert.deepEqual(first.conversation, { id: conv.id });
      assert.deepEqual(upstreamMessages(0), [
        { role: 'user', content: 'I am Bob.' },
        { role: 'user', content: 'Greet me.' },
      ]);
      const items = await client.conversations.items.list(conv.id, { order: 'asc' });
      assert.deepEqual(
        items.data.map((i) => i.type === 'message' && [i.role, i.content.map((p) => ('text' in p ? p.text : '')).join('')]),
        [
          ['user', 'I am Bob.'],
          ['user', 'Greet me.'],
          ['assistant', 'Hello, Bob.'],
        ],
      );
      assert.equal(items.data[2]!.id, first.output[0]!.id);
      const messages = await client.beta.threads.messages.list(conv.id, { order: 'asc' });
      assert.deepEqual(
        messages.data.map((m) => m.role),
        ['user', 'user', 'assistant'],
      );
      await client.responses.create({ model: 'gpt-4o-mini', input: 'My name?', conversation: { id: conv.id } });
      assert.deepEqual(upstreamMessages(1).slice(-2), [
        { role: 'assistant', content: 'Hello, Bob.' },
        { role: 'user', content: 'My name?' },
      ]);
      await rejectsWith(other.responses.create({ model: 'gpt-4o-mini', input: 'x', conversation: conv.id }), { status: 404 });
    });

    it('should end a response on a function call, and take its output by previous_response_id', async () => {
      const weather = { type: 'function' as const, name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false };
      fake.enqueue(
        COMPLETIONS,
        { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage: {} }) },
        answer('Sunny in Oslo.'),
      );
      const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Weather in Oslo?', tools: [weather], tool_choice: 'auto' });
      assert.equal(first.status, 'completed');
      assert.equal(first.output.length, 1);
      const call = first.output[0]!;
      assert.equal(call.type, 'function_call');
      const itemId = call.type === 'function_call' ? (call.id ?? '') : '';
      assert.match(itemId, /^fc_[A-Za-z0-9]{24}$/);
      const stored = await app.server.deps.store.db.selectFrom('conversation_items').select('type').where('id', '=', itemId).executeTakeFirst();
      assert.equal(stored?.type, 'function_call');
      assert.deepEqual(call, {
        type: 'function_call',
        id: itemId,
        call_id: 'call_w1',
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
        status: 'completed',
      });
      assert.deepEqual(fake.calls[0]!.body.tools, [
        { type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: weather.parameters, strict: false } },
      ]);
      assert.deepEqual((await client.responses.retrieve(first.id)).output, first.output);
      const second = await client.responses.create({
        model: 'gpt-4o-mini',
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: 'call_w1', output: '{"sky":"clear"}' }],
        tools: [weather],
      });
      assert.equal(second.output_text, 'Sunny in Oslo.');
      assert.deepEqual(upstreamMessages(1), [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_w1', content: '{"sky":"clear"}' },
      ]);
      const items = await client.responses.inputItems.list(second.id);
      assert.deepEqual(
        items.data.map((i) => i.type === 'function_call_output' && [i.call_id, i.output]),
        [['call_w1', '{"sky":"clear"}']],
      );
    });

    it('should stream a text response in OpenAI\'s event order; finalResponse() equals the stored response', async () => {
      fake.enqueue(COMPLETIONS, answer('Streamed hello.'));
      const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Say hello.', instructions: 'Stream it.' });
      const types: string[] = [];
      const sequence: number[] = [];
      let text = '';
      for await (const event of stream) {
        types.push(event.type);
        sequence.push(event.sequence_number);
        if (event.type === 'response.output_text.delta') text += event.delta;
      }
      const final = await stream.finalResponse();
      assert.equal(text, 'Streamed hello.');
      const deltas = types.filter((t) => t === 'response.output_text.delta').length;
      assert.ok(deltas >= 1);
      assert.deepEqual(types, [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        ...Array<string>(deltas).fill('response.output_text.delta'),
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      assert.deepEqual(sequence, types.map((_, i) => i));
      assert.equal(final.status, 'completed');
      assert.equal(final.output_text, 'Streamed hello.');
      assert.deepEqual(wire(final), wire(await client.responses.retrieve(final.id)));
      assert.deepEqual(wire(final), wire(await client.responses.retrieve(final.id, { include: ['file_search_call.results'] })));
      await rejectsWith(client.responses.retrieve(final.id, { include: ['nope' as 'file_search_call.results'] }), { status: 400 });
      assert.deepEqual(upstreamMessages(0), [
        { role: 'system', content: 'Stream it.' },
        { role: 'user', content: 'Say hello.' },
      ]);
    });

    it('should stream a store:false response with an event line per type, and keep nothing of it', async () => {
      const res = await fetch(`${app.baseURL}/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_KEYS[0]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', input: 'Stream and forget.', stream: true, store: false }),
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const frames = (await res.text()).split('\n\n').filter(Boolean);
      const parsed = frames.map((f) => {
        const [eventLine, dataLine] = f.split('\n');
        const data = JSON.parse(dataLine!.slice('data: '.length)) as { type: string; response?: Response };
        assert.equal(eventLine, `event: ${data.type}`);
        return data;
      });
      assert.equal(parsed[0]!.type, 'response.created');
      assert.equal(parsed.at(-1)!.type, 'response.completed');
      const id = parsed[0]!.response!.id;
      assert.equal(textOf(parsed.at(-1)!.response!), 'Hello from the fake upstream.');
      await rejectsWith(client.responses.retrieve(id), { status: 404 });
    });

    it('should stream a function call: arguments, then a completed response with the call', async () => {
      fake.enqueue(COMPLETIONS, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_s1', name: 'lookup', arguments: '{"q":"x"}' }], usage: {} }) });
      const stream = client.responses.stream({
        model: 'gpt-4o-mini',
        input: 'Look it up.',
        tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }],
      });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      const final = await stream.finalResponse();
      assert.equal(types[0], 'response.created');
      assert.equal(types.at(-1), 'response.completed');
      assert.ok(types.includes('response.function_call_arguments.done'), types.join());
      assert.equal(final.status, 'completed');
      const stored = await client.responses.retrieve(final.id);
      const itemId = stored.output[0]?.id ?? '';
      assert.match(itemId, /^fc_[A-Za-z0-9]{24}$/);
      assert.deepEqual(stored.output, [
        { type: 'function_call', id: itemId, call_id: 'call_s1', name: 'lookup', arguments: '{"q":"x"}', status: 'completed' },
      ]);
      assert.deepEqual(wire(final), wire(stored));
    });

    it('should pass the model options to the upstream in the Chat Completions shape, hosted tools left out', async () => {
      const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
      fake.enqueue(COMPLETIONS, answer('{"city":"Oslo"}'));
      const r = await client.responses.create({
        model: 'gpt-4o-mini',
        input: 'A city, as JSON.',
        text: { format: { type: 'json_schema', name: 'city', schema, strict: true } },
        top_p: 0.5,
        parallel_tool_calls: false,
        tool_choice: { type: 'function', name: 'pick' },
        tools: [{ type: 'function', name: 'pick', parameters: { type: 'object', properties: {} }, strict: true }, { type: 'web_search' }],
        reasoning: { effort: 'low' },
      });
      assert.equal(r.status, 'completed');
      const body = fake.calls[0]!.body;
      assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } });
      assert.equal(body.top_p, 0.5);
      assert.equal(body.parallel_tool_calls, false);
      assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'pick' } });
      assert.deepEqual(
        body.tools.map((t: { type: string; function: { name: string } }) => [t.type, t.function.name]),
        [['function', 'pick']],
      );
      assert.equal(body.reasoning_effort, 'low');
      assert.deepEqual(r.text?.format, { type: 'json_schema', name: 'city', schema, strict: true });
      assert.deepEqual(r.tools.map((t) => t.type), ['function', 'web_search']);
      assert.deepEqual(r.reasoning, { effort: 'low', summary: null });
    });

    it("should give file_search the request's vector stores, and refuse another tenant's", async () => {
      const mine = await client.vectorStores.create({ name: 'mine' });
      const theirs = await other.vectorStores.create({ name: 'theirs' });
      await rejectsWith(
        client.responses.create({ model: 'gpt-4o-mini', input: 'x', tools: [{ type: 'file_search', vector_store_ids: [mine.id, theirs.id] }] }),
        { status: 404, param: 'tools[0].vector_store_ids[1]', message: `No vector store found with id '${theirs.id}'.` },
      );
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Search.', tools: [{ type: 'file_search', vector_store_ids: [mine.id], max_num_results: 3 }] });
      const run = await app.server.deps.store.db
        .selectFrom('runs')
        .select(['tools', 'tool_resources', 'assistant_id'])
        .innerJoin('responses', 'responses.run_id', 'runs.id')
        .where('responses.id', '=', r.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(run.tools), [{ type: 'file_search', file_search: { max_num_results: 3 } }]);
      assert.deepEqual(JSON.parse(run.tool_resources ?? 'null'), { file_search: { vector_store_ids: [mine.id] } });
      assert.equal(run.assistant_id, '');
      assert.deepEqual(r.tools, [{ type: 'file_search', vector_store_ids: [mine.id], max_num_results: 3, filters: null, ranking_options: { ranker: 'auto', score_threshold: 0 } }]);
    });

    it('should end incomplete with reason max_output_tokens when the model is cut off, and failed on an upstream error', async () => {
      fake.enqueue(COMPLETIONS, { type: 'sse', chunks: chatChunks({ content: 'A long', finishReason: 'length', usage: { completion_tokens: 16 } }) });
      const cut = await client.responses.create({ model: 'gpt-4o-mini', input: 'Go on.', max_output_tokens: 16 });
      assert.equal(cut.status, 'incomplete');
      assert.deepEqual(cut.incomplete_details, { reason: 'max_output_tokens' });
      assert.equal(cut.output_text, 'A long');
      assert.equal(cut.error, null);
      fake.enqueue(COMPLETIONS, { type: 'error', status: 400, body: { error: { message: 'Bad prompt.', type: 'invalid_request_error', code: null, param: null } } });
      const failed = await client.responses.create({ model: 'gpt-4o-mini', input: 'Fail.' });
      assert.equal(failed.status, 'failed');
      assert.equal(typeof failed.error?.message, 'string');
      assert.ok(failed.error?.code, JSON.stringify(failed.error));
      assert.equal(failed.incomplete_details, null);
    });

    it('should record the usage of a response like any completion', async () => {
      const start = Math.floor(Date.now() / 86_400_000) * 86_400;
      await app.server.deps.usage.flush();
      type Page = { data: Array<{ results: Array<{ num_model_requests: number; input_tokens: number }> }> };
      const count = async () =>
        (await other.get<Page>('/organization/usage/completions', { query: { start_time: start } })).data
          .flatMap((b) => b.results)
          .reduce((n, r) => n + r.num_model_requests, 0);
      const before = await count();
      await other.responses.create({ model: 'gpt-4o-mini', input: 'Count me.' });
      await app.server.deps.usage.flush();
      assert.equal(await count(), before + 1);
    });
  });
}
