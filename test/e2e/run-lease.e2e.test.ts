import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { beginStory, startStoryRun } from '../support/story-run.js';
import { until } from '../support/until.js';
import { openDb } from '../../src/store/open-db.js';

for (const dialect of testDialects()) {
  describe(`run leases (${dialect})`, () => {
    it('should stop a run whose lease another worker took, and write nothing more to it', async () => {
      const fake = await startFakeUpstream();
      const app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { worker: { leaseMs: 1_500 } } });
      try {
        const handle = beginStory(fake);
        const { run } = await startStoryRun(app.client());

        // Another instance holds the run now (as after a pause longer than the lease).
        const db = app.server.deps.store.db;
        await db.updateTable('runs').set({ lease_owner: 'worker_someone_else', lease_expires_at: Date.now() + 3_600_000 }).where('id', '=', run.id).execute();

        await handle.aborted; // this worker tore its upstream call down
      } finally {
        await app.stop(); // waits for the worker's runs to settle
        await fake.close();
      }
      const store = openDb(app.databaseUrl);
      try {
        const [row] = await store.db.selectFrom('runs').select(['status', 'lease_owner']).execute();
        assert.deepEqual(row, { status: 'in_progress', lease_owner: 'worker_someone_else' });
        const [message] = await store.db.selectFrom('messages').select('status').where('role', '=', 'assistant').execute();
        assert.equal(message?.status, 'in_progress', 'the half-written message is left for the new owner to redo');
        const steps = await store.db.selectFrom('run_steps').select('status').execute();
        assert.deepEqual(steps.map((s) => s.status), ['in_progress']);
      } finally {
        await store.close();
        await app.close();
      }
    });

    it('should hand a run back on shutdown, its half-written turn left for the restart to redo: one answer, no leftovers', async () => {
      const fake = await startFakeUpstream();
      const env = { SWITCHBOARD_UPSTREAM_URL: fake.url };
      const first = await createTestApp({ dialect, env });
      let second: Awaited<ReturnType<typeof createTestApp>> | undefined;
      try {
        beginStory(fake);
        const { thread, run } = await startStoryRun(first.client());
        await first.stop();

        second = await createTestApp({ dialect, env, databaseUrl: first.databaseUrl });
        const c2 = second.client();
        const done = await until(() => c2.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }), (r) => r.status === 'completed');
        assert.equal(done.status, 'completed');
        const answers = (await c2.beta.threads.messages.list(thread.id)).data.filter((m) => m.role === 'assistant');
        assert.deepEqual(answers.map((m) => m.status), ['completed']);
        const steps = await c2.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
        assert.deepEqual(steps.data.map((s) => [s.type, s.status]), [['message_creation', 'completed']]);
      } finally {
        await second?.stop();
        await first.close();
        await fake.close();
      }
    });
  });
}
