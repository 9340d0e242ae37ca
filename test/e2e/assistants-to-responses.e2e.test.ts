import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const COMPLETIONS = '/v1/chat/completions';
const answer = (text: string) => ({ type: 'sse' as const, chunks: chatChunks({ content: text }) });

// README "Moving an Assistants app to Responses, one call at a time", run as written.
for (const dialect of testDialects()) {
  describe(`an Assistants thread continued through Responses (${dialect})`, () => {
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

    it('should answer on the thread with its history, and show each API what the other added', async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', instructions: 'You plan trips.' });
      fake.enqueue(COMPLETIONS, answer('Louvre, then lunch.'), answer('Orsay, then a café.'));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Plan a day in Paris.' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed');

      const reply = await client.responses.create({
        model: assistant.model,
        instructions: assistant.instructions ?? undefined,
        conversation: thread.id,
        input: 'Make it a rainy day.',
      });
      assert.equal(reply.output_text, 'Orsay, then a café.');
      const second = fake.calls.filter((c) => c.path === COMPLETIONS)[1]!.body.messages;
      assert.deepEqual(second, [
        { role: 'system', content: 'You plan trips.' },
        { role: 'user', content: 'Plan a day in Paris.' },
        { role: 'assistant', content: 'Louvre, then lunch.' },
        { role: 'user', content: 'Make it a rainy day.' },
      ]);

      const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
      assert.deepEqual(
        messages.data.map((m) => [m.role, m.content[0]?.type === 'text' ? m.content[0].text.value : '']),
        [
          ['user', 'Plan a day in Paris.'],
          ['assistant', 'Louvre, then lunch.'],
          ['user', 'Make it a rainy day.'],
          ['assistant', 'Orsay, then a café.'],
        ],
      );
      const items = await client.conversations.items.list(thread.id, { order: 'asc' });
      assert.deepEqual(
        items.data.map((i) => i.id),
        messages.data.map((m) => m.id),
      );
    });
  });
}
