import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ResponseInputItem } from 'openai/resources/responses/responses';
import { messageTokens } from '../../src/engine/fit-prompt.js';
import { loadCounter } from '../../src/metering/count-tokens.js';
import type { ModelMessage } from '../../src/providers/chat-model.js';
import { COMPACT_INSTRUCTION } from '../../src/services/responses-compact.js';
import { chatChunks } from '../fakes/chunks.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';

const COMPLETIONS = '/v1/chat/completions';
const answer = (text: string, usage = { prompt_tokens: 11, completion_tokens: 4 }) => ({ type: 'sse' as const, chunks: chatChunks({ content: text, usage }) });
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

/** The project tokenizer's count of a chat request as the upstream got it: each message, the reply's priming, the tools' JSON. */
async function upstreamPromptTokens(body: { messages: ModelMessage[]; tools?: unknown[] }): Promise<number> {
  const count = await loadCounter();
  const messages = body.messages.reduce((n, m) => n + messageTokens(m, count), 3);
  return messages + (body.tools?.length ? count(JSON.stringify(body.tools)) : 0);
}

for (const dialect of testDialects()) {
  describe(`responses input_tokens and compact (${dialect})`, () => {
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
    const completionCalls = () => fake.calls.filter((c) => c.path === COMPLETIONS);
    const lastUpstreamTokens = () => upstreamPromptTokens(completionCalls().at(-1)!.body);

    it('should count the prompt the upstream then receives for the same request (instructions, input, tools)', async () => {
      const request = { model: 'gpt-4o-mini', instructions: 'Be brief and exact.', input: 'What is the weather in Oslo and in Bergen today?', tools: [weather] };
      const counted = await client.responses.inputTokens.count(request);
      assert.equal(counted.object, 'response.input_tokens');
      assert.equal(completionCalls().length, 0, 'counting calls no model');
      fake.enqueue(COMPLETIONS, answer('Rain.'));
      await client.responses.create(request);
      const body = completionCalls()[0]!.body;
      assert.equal(body.tools.length, 1);
      assert.equal(counted.input_tokens, await upstreamPromptTokens(body));
      assert.ok(counted.input_tokens > 20, String(counted.input_tokens));
    });

    it('should count a server tool’s definition as the run offers it (code_interpreter)', async () => {
      const request = { model: 'gpt-4o-mini', input: 'Plot y = x².', tools: [{ type: 'code_interpreter' as const, container: { type: 'auto' as const } }] };
      const counted = await client.responses.inputTokens.count(request);
      fake.enqueue(COMPLETIONS, answer('Done.'));
      await client.responses.create(request);
      const body = completionCalls()[0]!.body;
      assert.equal(body.tools[0].function.name, 'code_interpreter');
      assert.equal(counted.input_tokens, await upstreamPromptTokens(body));
    });

    it('should count a previous_response_id chain as its history, keeping nothing', async () => {
      fake.enqueue(COMPLETIONS, answer('Hello, Ada. Nice to meet you.'));
      const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'My name is Ada.', instructions: 'Be kind.' });
      const next = { model: 'gpt-4o-mini', input: 'What is my name?', previous_response_id: first.id };
      const counted = await client.responses.inputTokens.count(next);
      const items = await client.responses.inputItems.list(first.id);
      assert.equal(items.data.length, 1, 'the count added nothing to the chain');
      fake.enqueue(COMPLETIONS, answer('Ada.'));
      const second = await client.responses.create(next);
      assert.equal(second.status, 'completed');
      assert.deepEqual(
        completionCalls()[1]!.body.messages.map((m: ModelMessage) => m.role),
        ['user', 'assistant', 'user'],
        'the count was rolled back: the chain stays linear, instructions not carried over',
      );
      assert.equal(counted.input_tokens, await lastUpstreamTokens());
    });

    it('should count a conversation with its items, adding none, and without a model', async () => {
      const conv = await client.conversations.create({
        items: [
          { type: 'message', role: 'developer', content: 'Answer in French.' },
          { type: 'message', role: 'user', content: 'I live in Lyon.' },
        ],
      });
      const counted = await client.responses.inputTokens.count({ input: 'Where do I live?', conversation: conv.id });
      const withModel = await client.responses.inputTokens.count({ model: 'gpt-4o-mini', input: 'Where do I live?', conversation: { id: conv.id } });
      assert.equal(withModel.input_tokens, counted.input_tokens);
      assert.equal((await client.conversations.items.list(conv.id)).data.length, 2);
      fake.enqueue(COMPLETIONS, answer('À Lyon.'));
      await client.responses.create({ model: 'gpt-4o-mini', input: 'Where do I live?', conversation: conv.id });
      assert.equal(completionCalls()[0]!.body.messages.length, 3);
      assert.equal(counted.input_tokens, await lastUpstreamTokens());
    });

    it('should validate input_tokens as create does: 400 with param, 404 for another tenant’s conversation', async () => {
      await rejectsWith(client.responses.inputTokens.count({ model: 'gpt-4o-mini', input: 'x', previous_response_id: 'resp_nope' }), {
        param: 'previous_response_id',
        code: 'previous_response_not_found',
      });
      fake.enqueue(COMPLETIONS, answer('Mine.'));
      const foreign = await other.responses.create({ model: 'gpt-4o-mini', input: 'Secret.' });
      await rejectsWith(client.responses.inputTokens.count({ model: 'gpt-4o-mini', input: 'x', previous_response_id: foreign.id }), {
        param: 'previous_response_id',
      });
      const conv = await other.conversations.create({});
      await rejectsWith(client.responses.inputTokens.count({ input: 'x', conversation: conv.id }), { status: 404 });
      await rejectsWith(client.responses.inputTokens.count({ input: 'x', conversation: conv.id, previous_response_id: foreign.id }), {
        code: 'mutually_exclusive_parameters',
      });
      await rejectsWith(client.responses.inputTokens.count({ model: 'gpt-4o-mini', input: [] }), { code: 'missing_required_parameter' });
    });

    it('should compact an input list through the model into the user messages and one compaction item', async () => {
      fake.enqueue(COMPLETIONS, answer('The user wants a landing page for a dog café; one was written.', { prompt_tokens: 40, completion_tokens: 12 }));
      const input: ResponseInputItem[] = [
        { role: 'user', content: 'Create a landing page for a dog petting café.' },
        {
          id: 'msg_001',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Here is the page: <html>…</html>', annotations: [], logprobs: [] }],
        },
      ];
      const compacted = await client.responses.compact({ model: 'gpt-4o-mini', input, instructions: 'You write web pages.' });
      const body = completionCalls()[0]!.body;
      assert.equal(body.model, 'gpt-4o-mini');
      assert.deepEqual(body.messages, [
        { role: 'system', content: 'You write web pages.' },
        { role: 'user', content: 'Create a landing page for a dog petting café.' },
        { role: 'assistant', content: 'Here is the page: <html>…</html>' },
        { role: 'user', content: COMPACT_INSTRUCTION },
      ]);
      assert.equal(body.tools, undefined);
      assert.match(compacted.id, /^resp_[A-Za-z0-9]{24}$/);
      assert.equal(compacted.object, 'response.compaction');
      assert.equal(typeof compacted.created_at, 'number');
      assert.equal(compacted.output.length, 2);
      const [user, compaction] = compacted.output;
      assert.deepEqual(user && { ...user, id: '' }, {
        id: '',
        type: 'message',
        status: 'completed',
        role: 'user',
        content: [{ type: 'input_text', text: 'Create a landing page for a dog petting café.' }],
      });
      assert.match(compaction?.type === 'compaction' ? compaction.id : '', /^cmp_[A-Za-z0-9]{24}$/);
      assert.deepEqual(compaction && { ...compaction, id: '' }, {
        id: '',
        type: 'compaction',
        encrypted_content: 'The user wants a landing page for a dog café; one was written.',
      });
      assert.deepEqual(compacted.usage, {
        input_tokens: 40,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 12,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 52,
      });
    });

    it('should show a compaction item passed back as input to the model as the earlier conversation’s summary, and count it', async () => {
      fake.enqueue(COMPLETIONS, answer('Ada asked for a poem about cats; one was written.'));
      const compacted = await client.responses.compact({ model: 'gpt-4o-mini', input: [{ role: 'user', content: 'I am Ada. Write a poem about cats.' }, { role: 'assistant', content: 'Cats nap in the sun.' }] });
      const next = { model: 'gpt-4o-mini', input: [...compacted.output, { role: 'user' as const, content: 'Who am I?' }] as ResponseInputItem[] };
      const counted = await client.responses.inputTokens.count(next);
      fake.enqueue(COMPLETIONS, answer('Ada.'));
      await client.responses.create(next);
      assert.deepEqual(completionCalls()[1]!.body.messages, [
        { role: 'user', content: 'I am Ada. Write a poem about cats.' },
        { role: 'system', content: 'Summary of the earlier conversation:\nAda asked for a poem about cats; one was written.' },
        { role: 'user', content: 'Who am I?' },
      ]);
      assert.equal(counted.input_tokens, await lastUpstreamTokens());
    });

    it('should answer an upstream failure during compaction as the gateway does (502, OpenAI shape)', async () => {
      fake.enqueue(COMPLETIONS, { type: 'error', status: 500, body: { error: { message: 'Boom.', type: 'server_error', code: null, param: null } } });
      await assert.rejects(client.responses.compact({ model: 'gpt-4o-mini', input: 'Summarise me.' }), (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError, String(err));
        assert.equal(err.status, 502);
        assert.ok(err.message.includes('Boom.'), err.message);
        return true;
      });
    });

    it('should compact a previous_response_id chain, keep nothing, and record the call’s usage', async () => {
      const start = Math.floor(Date.now() / 86_400_000) * 86_400;
      type Page = { data: Array<{ results: Array<{ num_model_requests: number }> }> };
      const requests = async () => {
        await app.server.deps.usage.flush();
        return (await other.get<Page>('/organization/usage/completions', { query: { start_time: start } })).data
          .flatMap((b) => b.results)
          .reduce((n, r) => n + r.num_model_requests, 0);
      };
      fake.enqueue(COMPLETIONS, answer('Noted: blue.'));
      const first = await other.responses.create({ model: 'gpt-4o-mini', input: 'My favourite colour is blue.' });
      const before = await requests();
      fake.enqueue(COMPLETIONS, answer('Favourite colour: blue.'));
      const compacted = await other.responses.compact({ model: 'gpt-4o-mini', input: 'And my cat is Tom.', previous_response_id: first.id });
      assert.deepEqual(completionCalls()[1]!.body.messages, [
        { role: 'user', content: 'My favourite colour is blue.' },
        { role: 'assistant', content: 'Noted: blue.' },
        { role: 'user', content: 'And my cat is Tom.' },
        { role: 'user', content: COMPACT_INSTRUCTION },
      ]);
      assert.deepEqual(
        compacted.output.map((i) => (i.type === 'message' ? i.content.map((c) => ('text' in c ? c.text : '')).join('') : i.type)),
        ['My favourite colour is blue.', 'And my cat is Tom.', 'compaction'],
      );
      assert.equal(await requests(), before + 1);
      fake.enqueue(COMPLETIONS, answer('Blue.'));
      await other.responses.create({ model: 'gpt-4o-mini', input: 'Colour?', previous_response_id: first.id });
      assert.deepEqual(
        completionCalls()[2]!.body.messages.map((m: ModelMessage) => m.content),
        ['My favourite colour is blue.', 'Noted: blue.', 'Colour?'],
        'nothing of the compaction stayed in the chain',
      );
      await rejectsWith(client.responses.compact({ model: 'gpt-4o-mini', input: 'x', previous_response_id: first.id }), {
        param: 'previous_response_id',
      });
      // The spec's compact takes no `conversation`; Switchboard reads one as create does (the SDK types leave it out).
      await rejectsWith(client.post('/responses/compact', { body: { model: 'gpt-4o-mini', input: 'x', conversation: 'conv_nope' } }), { status: 404 });
      assert.equal(completionCalls().length, 3, 'no model call for a rejected compaction');
    });
  });
}
