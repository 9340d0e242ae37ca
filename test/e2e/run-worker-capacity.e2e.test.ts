import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { until } from '../support/until.js';

const CHAT = '/v1/chat/completions';

// A worker with no room left claims a queued run when one of its runs ends, not at its next poll (an hour here).
for (const dialect of testDialects()) {
  describe(`run worker at capacity (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { worker: { concurrency: 1, pollMs: 3_600_000 } } });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should start a run queued while the worker was full as soon as the run before it ends', async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const first = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle: first });
      const [a, b] = await Promise.all(['a', 'b'].map(() => client.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] })));
      const runA = await client.beta.threads.runs.create(a!.id, { assistant_id: assistant.id });
      await until(() => fake.calls.length, (n) => n === 1);
      const runB = await client.beta.threads.runs.create(b!.id, { assistant_id: assistant.id });
      assert.equal((await client.beta.threads.runs.retrieve(runB.id, { thread_id: b!.id })).status, 'queued');
      for (const chunk of chatChunks({ content: 'Done.' })) first.write(chunk);
      first.end();
      const done = (threadId: string, runId: string) =>
        until(() => client.beta.threads.runs.retrieve(runId, { thread_id: threadId }), (r) => r.status === 'completed');
      assert.equal((await done(a!.id, runA.id)).status, 'completed');
      assert.equal((await done(b!.id, runB.id)).status, 'completed');
    });
  });
}
