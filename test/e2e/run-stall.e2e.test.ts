import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { beginStory, storyThread } from '../support/story-run.js';

const CHAT = '/v1/chat/completions';

for (const dialect of testDialects()) {
  describe(`a stalled upstream (${dialect})`, () => {
    it('should fail a run whose model goes silent mid-answer, name the deadline in last_error, and free the thread', async () => {
      const fake = await startFakeUpstream();
      const app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, yaml: 'runs:\n  stall_timeout_ms: 300\n' });
      try {
        const handle = beginStory(fake);
        const client = app.client();
        const { assistant, thread } = await storyThread(client);

        const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });

        assert.equal(run.status, 'failed');
        assert.equal(run.last_error?.code, 'server_error');
        assert.match(run.last_error?.message ?? '', /sent nothing for 300 ms.*runs\.stall_timeout_ms/);
        await handle.aborted; // the upstream call is torn down
        const [answer] = (await client.beta.threads.messages.list(thread.id, { order: 'desc', limit: 1 })).data;
        assert.equal(answer?.role, 'assistant');
        assert.equal(answer.status, 'incomplete');
        // The thread takes messages again.
        await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'Are you there?' });
      } finally {
        await app.close();
        await fake.close();
      }
    });

    it('should fail a run whose upstream never answers, naming timeout_ms in last_error', async () => {
      const fake = await startFakeUpstream();
      const app = await createTestApp({ dialect, yaml: `providers:\n  slow:\n    base_url: ${fake.url}\n    timeout_ms: 300\n` });
      try {
        fake.enqueue(CHAT, { type: 'hang' });
        const client = app.client();
        const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
        const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } });
        assert.equal(run.status, 'failed');
        assert.equal(run.last_error?.code, 'server_error');
        assert.match(run.last_error?.message ?? '', /did not answer within 300 ms \(timeout_ms\)/);
      } finally {
        await app.close();
        await fake.close();
      }
    });
  });
}
