import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const CHAT = '/v1/chat/completions';

/** The messages the upstream received in its last chat call. */
function sentMessages(fake: FakeUpstream): unknown[] {
  const calls = fake.calls.filter((c) => c.path === CHAT);
  assert.ok(calls.length > 0, 'the upstream was called');
  return (calls.at(-1)!.body as { messages: unknown[] }).messages;
}

for (const dialect of testDialects()) {
  describe(`a thread's whole history in the prompt (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    it('should send every item of a conversation, in order, to an Assistants run on it', async () => {
      const conv = await client.conversations.create({
        items: [
          { type: 'message', role: 'developer', content: 'Answer in French.' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
          { type: 'function_call', call_id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'call_w1', output: '18C and sunny' },
          { type: 'message', role: 'assistant', content: 'Il fait 18C et beau.' },
        ],
      });
      await client.conversations.items.create(conv.id, { items: [{ type: 'message', role: 'user', content: 'And tomorrow?' }] });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', instructions: 'You are a weather bot.' });
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Demain aussi.', usage: {} }) });

      const run = await client.beta.threads.runs.createAndPoll(conv.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      assert.deepEqual(sentMessages(fake), [
        { role: 'system', content: 'You are a weather bot.' },
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_w1', content: '18C and sunny' },
        { role: 'assistant', content: 'Il fait 18C et beau.' },
        { role: 'user', content: 'And tomorrow?' },
      ]);
    });
  });
}
