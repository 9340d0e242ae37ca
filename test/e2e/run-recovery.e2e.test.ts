import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { controlledStream, startFakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { spawnServer } from '../support/spawn-server.js';
import { until } from '../support/until.js';

for (const dialect of testDialects()) {
  describe(`crash recovery (${dialect})`, () => {
    it('should finish a run after kill -9 mid-answer, with one complete message and no leftovers', async () => {
      const fake = await startFakeUpstream();
      const db = await createTestDatabaseUrl(dialect);
      const config = join(mkdtempSync(join(tmpdir(), 'sb-crash-')), 'switchboard.yaml');
      writeFileSync(config, 'runs:\n  lease_ms: 1000\n  poll_ms: 100\n');
      const env = {
        SWITCHBOARD_UPSTREAM_URL: fake.url,
        SWITCHBOARD_API_KEYS: 'sk-crash-test-key',
        SWITCHBOARD_DATABASE_URL: db.url,
        SWITCHBOARD_CONFIG: config,
      };
      const first = await spawnServer(env);
      let second: Awaited<ReturnType<typeof spawnServer>> | undefined;
      try {
        const handle = controlledStream();
        fake.enqueue('/v1/chat/completions', { type: 'controlled', handle });
        const c1 = new OpenAI({ apiKey: 'sk-crash-test-key', baseURL: first.baseURL, maxRetries: 0 });
        const assistant = await c1.beta.assistants.create({ model: 'gpt-4o' });
        const thread = await c1.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story' }] });
        const run = await c1.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
        await handle.started;
        handle.write(chatChunks({ content: ['Once upon a time'] })[0]);
        handle.write(chatChunks({ content: ['Once upon a time'] })[1]);
        // The half-written message is in the database before the crash.
        await until(() => c1.beta.threads.messages.list(thread.id), (p) => p.data.some((m) => m.role === 'assistant'));

        first.child.kill('SIGKILL');
        await first.exited;

        second = await spawnServer(env);
        const c2 = new OpenAI({ apiKey: 'sk-crash-test-key', baseURL: second.baseURL, maxRetries: 0 });
        const done = await until(() => c2.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }), (r) => r.status === 'completed');
        assert.equal(done.status, 'completed');

        const messages = await c2.beta.threads.messages.list(thread.id, { order: 'asc' });
        const answers = messages.data.filter((m) => m.role === 'assistant');
        assert.equal(answers.length, 1, 'exactly one assistant message');
        assert.equal(answers[0]!.status, 'completed');
        assert.equal(answers[0]!.content[0]?.type === 'text' && answers[0]!.content[0].text.value, 'Hello from the fake upstream.');
        const steps = await c2.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
        assert.deepEqual(steps.data.map((s) => [s.type, s.status]), [['message_creation', 'completed']]);
      } finally {
        first.child.kill('SIGKILL');
        second?.child.kill('SIGKILL');
        await second?.exited;
        await fake.close();
        await db.drop();
      }
    });
  });
}
