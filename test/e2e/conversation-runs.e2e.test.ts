import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { hashKey } from '../../src/config.js';
import { findResponse } from '../../src/store/repos/responses.repo.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { rejectsWith } from '../support/api-errors.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const TENANT = 'key_' + hashKey(TEST_KEYS[0]).slice(0, 16);

for (const dialect of testDialects()) {
  describe(`a thread used as a conversation: the Assistants API shows its runs only (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    /** The run behind a response (OpenAI has none: it is Switchboard's own). */
    const runOf = async (responseId: string) => (await findResponse(app.server.deps.store.db, TENANT, responseId))!.run_id;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it("should list and retrieve the assistant's runs, not the responses', while their messages show", async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'one' }] });
      const first = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      const response = await client.responses.create({ model: 'gpt-4o', input: 'two', conversation: thread.id });
      assert.equal(response.status, 'completed');
      await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'three' });
      const second = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });

      const all = await client.beta.threads.runs.list(thread.id, { order: 'asc' });
      assert.deepEqual(all.data.map((r) => r.id), [first.id, second.id]);
      assert.ok(all.data.every((r) => r.assistant_id === assistant.id));
      // Pages stay exact with the response's run between the two.
      const page = await client.beta.threads.runs.list(thread.id, { order: 'asc', limit: 1 });
      assert.deepEqual(page.data.map((r) => r.id), [first.id]);
      assert.equal(page.hasNextPage(), true);
      const next = await page.getNextPage();
      assert.deepEqual(next.data.map((r) => r.id), [second.id]);
      assert.equal(next.hasNextPage(), false);

      const runId = await runOf(response.id);
      const notFound = { status: 404, message: `No run found with id '${runId}'.` };
      await rejectsWith(client.beta.threads.runs.retrieve(runId, { thread_id: thread.id }), notFound);
      await rejectsWith(client.beta.threads.runs.update(runId, { thread_id: thread.id, metadata: { a: 'b' } }), notFound);
      await rejectsWith(client.beta.threads.runs.cancel(runId, { thread_id: thread.id }), notFound);
      await rejectsWith(client.beta.threads.runs.steps.list(runId, { thread_id: thread.id }), notFound);
      const outputs = { thread_id: thread.id, tool_outputs: [{ tool_call_id: 'call_x', output: 'x' }] };
      await rejectsWith(client.beta.threads.runs.submitToolOutputs(runId, outputs), notFound);
      await rejectsWith(client.beta.threads.runs.list(thread.id, { after: runId }), { status: 400 });

      const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
      const texts = messages.data.map((m) => (m.content[0]?.type === 'text' ? `${m.role}:${m.content[0].text.value}` : m.role));
      assert.deepEqual([texts[0], texts[2], texts[4]], ['user:one', 'user:two', 'user:three']);
      // The response's answer shows, with no assistant and no run: neither exists in the Assistants API.
      const owners = messages.data.map((m) => [m.role, m.assistant_id, m.run_id]);
      assert.deepEqual(owners, [
        ['user', null, null],
        ['assistant', assistant.id, first.id],
        ['user', null, null],
        ['assistant', null, null],
        ['user', null, null],
        ['assistant', assistant.id, second.id],
      ]);
      // Filtering by run: the response's run is no Assistants run, so nothing is listed for it.
      const byRun = async (run_id: string) => (await client.beta.threads.messages.list(thread.id, { run_id })).data.map((m) => m.id);
      assert.deepEqual(await byRun(runId), []);
      assert.deepEqual(await byRun(first.id), [messages.data[1]!.id]);
    });
  });
}
