import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const CHAT = '/v1/chat/completions';
/** Ten messages of about 600 tokens each: ~6000 tokens of thread, more than the smallest models hold. */
const THREAD = Array.from({ length: 10 }, (_, i) => ({ role: 'user' as const, content: `Note ${i}: ${'the quick brown fox jumps '.repeat(120)}` }));

/** The thread messages (not the system message) that reached the upstream in its last call. */
function sentNotes(fake: FakeUpstream): string[] {
  const body = fake.calls.filter((c) => c.path === CHAT).at(-1)!.body as { messages: Array<{ role: string; content: string }> };
  assert.equal(body.messages[0]!.role, 'system');
  return body.messages.slice(1).map((m) => m.content.slice(0, 'Note 0'.length));
}

for (const dialect of testDialects()) {
  describe(`truncation_strategy auto (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, yaml: 'context_windows:\n  small-chat: 3000\n' });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    async function runOn(model: string) {
      const assistant = await client.beta.assistants.create({ model, instructions: 'Answer briefly.' });
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'ok', usage: {} }) });
      const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: THREAD } });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
    }

    it('should drop the oldest messages to fit the context window the YAML gives', async () => {
      await runOn('small-chat');
      const notes = sentNotes(fake);
      assert.ok(notes.length >= 2 && notes.length < 10, notes.join(', '));
      assert.equal(notes.at(-1), 'Note 9', 'the newest message is kept');
      assert.deepEqual(notes, THREAD.slice(10 - notes.length).map((m) => m.content.slice(0, 6)), 'oldest first out');
    });

    it("should fit the window the upstream's /models reports (vLLM's max_model_len)", async () => {
      fake.enqueue('/v1/models', { type: 'json', body: { object: 'list', data: [{ id: 'vllm-model', object: 'model', max_model_len: 3000 }] } });
      await runOn('vllm-model');
      const notes = sentNotes(fake);
      assert.ok(notes.length >= 2 && notes.length < 10, notes.join(', '));
      assert.equal(notes.at(-1), 'Note 9');
    });

    it('should send the whole thread to a model with room for it', async () => {
      await runOn('gpt-4o');
      assert.equal(sentNotes(fake).length, 10);
    });
  });
}
