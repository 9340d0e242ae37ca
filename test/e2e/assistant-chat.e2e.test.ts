import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';

describe('one-call assistant chat', () => {
  let fake: FakeUpstream;
  let app: TestApp;
  let client: OpenAI;
  let assistantId: string;

  before(async () => {
    fake = await startFakeUpstream();
    app = await createTestApp({ env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
    client = app.client();
    assistantId = (
      await client.beta.assistants.create({
        model: 'gpt-4o',
        instructions: 'You answer in French.',
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      })
    ).id;
  });
  after(async () => {
    await app.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('should answer POST /assistants/{id}/chat in the chat.completion shape', async () => {
    const completion = await client.post<ChatCompletion>(`/assistants/${assistantId}/chat`, {
      body: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }] },
    });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0]?.message.content, 'Hello from the fake upstream.');
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.equal(completion.usage?.total_tokens, 17);
    assert.deepEqual(fake.calls[0]!.body.messages, [
      { role: 'system', content: 'You answer in French.\n\nBe brief.' },
      { role: 'user', content: 'Capital of France?' },
    ]);
    assert.equal(fake.calls[0]!.body.tools[0].function.name, 'lookup');
  });

  it('should leave no thread behind', async () => {
    const completion = await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: 'Hi' }] });
    const runId = `run_${completion.id.slice('chatcmpl-'.length)}`;
    const db = app.server.deps.store.db;
    assert.equal((await db.selectFrom('runs').select('id').where('id', '=', runId).execute()).length, 0);
  });

  it('should talk to an assistant through model "asst_…" on /chat/completions, streaming', async () => {
    const stream = await client.chat.completions.create({
      model: assistantId,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, 'Hello from the fake upstream.');
    assert.equal(usage?.total_tokens, 17);
  });

  it('should hand back the function call the assistant wants', async () => {
    fake.enqueue('/v1/chat/completions', {
      type: 'sse',
      chunks: chatChunks({ toolCalls: [{ id: 'call_l', name: 'lookup', arguments: '{"q":"x"}' }], usage: {} }),
    });
    const completion = await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: 'Look it up' }] });
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.equal(call?.type === 'function' && call.function.arguments, '{"q":"x"}');
  });

  it("should answer 404 for another tenant's assistant", async () => {
    const other = app.client(TEST_KEYS[1]);
    await assert.rejects(other.post(`/assistants/${assistantId}/chat`, { body: { messages: [{ role: 'user', content: 'x' }] } }), OpenAI.NotFoundError);
  });

  it('should answer 502 with the reason when the run fails', async () => {
    fake.enqueue('/v1/chat/completions', { type: 'error', status: 500 });
    const err = await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.APIError);
    assert.equal(err.status, 502);
  });

  it("should answer 429 rate_limit_exceeded when the run failed on the model's rate limit", async () => {
    fake.enqueue('/v1/chat/completions', { type: 'error', status: 429, body: { error: { message: 'Slow down', type: 'requests', code: 'rate_limit_exceeded' } } });
    const err = await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.code, 'rate_limit_exceeded');
  });
});
