import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { rejectsWith } from '../support/api-errors.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { waitFor } from '../support/until.js';

// A response, or an Assistants thread, its owner deletes while its stream is still running: the stream still ends.

const COMPLETIONS = '/v1/chat/completions';

for (const dialect of testDialects()) {
  describe(`a response or thread deleted while it streams (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { worker: { stallTimeoutMs: 600_000 } } });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    it('should end a response\'s stream with a terminal event, and leave it deleted', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const chunks = chatChunks({ content: ['Once upon', ' a time'] });
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Tell me a story', stream: true });
      const types: string[] = [];
      let id: string | undefined;
      let ended = false;
      const reading = (async () => {
        for await (const event of stream) {
          types.push(event.type);
          if (event.type === 'response.created') id = event.response.id;
        }
        ended = true;
      })();
      try {
        await upstream.started;
        upstream.write(chunks[0]!);
        upstream.write(chunks[1]!);
        await waitFor(() => types.includes('response.output_text.delta'), 'the answer to start');
        await client.responses.delete(id!);
        await rejectsWith(client.responses.retrieve(id!), { status: 404 });
        for (const chunk of chunks.slice(2)) upstream.write(chunk);
        upstream.end();
        await waitFor(() => ended, 'the stream to end');
        await reading;
      } finally {
        stream.controller.abort();
      }
      assert.match(types.at(-1) ?? '', /^response\.(completed|failed|incomplete)$|^error$/);
      await rejectsWith(client.responses.retrieve(id!), { status: 404 });
    });
    it('should end a run\'s stream with a terminal event when its thread is deleted', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      const chunks = chatChunks({ content: ['Once upon', ' a time'] });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o-mini' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story' }] });
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      const types: string[] = [];
      let ended = false;
      const reading = (async () => {
        for await (const event of stream) types.push(event.event);
        ended = true;
      })();
      try {
        await upstream.started;
        upstream.write(chunks[0]!);
        upstream.write(chunks[1]!);
        await waitFor(() => types.includes('thread.message.delta'), 'the answer to start');
        await client.beta.threads.delete(thread.id);
        for (const chunk of chunks.slice(2)) upstream.write(chunk);
        upstream.end();
        await waitFor(() => ended, 'the stream to end');
        await reading;
      } finally {
        stream.abort();
      }
      assert.match(types.at(-1) ?? '', /^thread\.run\.(completed|failed|cancelled)$/);
      await rejectsWith(client.beta.threads.retrieve(thread.id), { status: 404 });
    });
  });
}
