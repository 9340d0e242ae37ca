import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestDatabaseUrl, testDialects, type Dialect } from '../support/databases.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { until } from '../support/until.js';

const KEY = 'sk-crash-test-key';

/** A server's environment: its own data dir (where its instance id lives) and a `runs:` lease. */
function serverEnv(opts: { fake: FakeUpstream; dbUrl: string; leaseMs: number }): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
  const config = join(dir, 'switchboard.yaml');
  writeFileSync(config, `runs:\n  lease_ms: ${opts.leaseMs}\n  poll_ms: 100\n`);
  return {
    SWITCHBOARD_UPSTREAM_URL: opts.fake.url,
    SWITCHBOARD_API_KEYS: KEY,
    SWITCHBOARD_DATABASE_URL: opts.dbUrl,
    SWITCHBOARD_DATA_DIR: join(dir, 'data'),
    SWITCHBOARD_CONFIG: config,
  };
}

/** Starts a run on `first`, lets it write half an answer, then kills the server with SIGKILL. */
async function crashMidAnswer(first: SpawnedServer, fake: FakeUpstream): Promise<{ runId: string; threadId: string }> {
  const handle = controlledStream();
  fake.enqueue('/v1/chat/completions', { type: 'controlled', handle });
  const c1 = new OpenAI({ apiKey: KEY, baseURL: first.baseURL, maxRetries: 0 });
  const assistant = await c1.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await c1.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story' }] });
  const run = await c1.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  await handle.started;
  const [role, text] = chatChunks({ content: ['Once upon a time'] });
  handle.write(role);
  handle.write(text);
  // The half-written message is in the database before the crash.
  await until(() => c1.beta.threads.messages.list(thread.id), (p) => p.data.some((m) => m.role === 'assistant'));
  first.child.kill('SIGKILL');
  await first.exited;
  return { runId: run.id, threadId: thread.id };
}

/** The run completed on `server` with one complete answer and no leftover of the crashed turn. */
async function assertFinished(server: SpawnedServer, ids: { runId: string; threadId: string }): Promise<void> {
  const client = new OpenAI({ apiKey: KEY, baseURL: server.baseURL, maxRetries: 0 });
  const done = await until(() => client.beta.threads.runs.retrieve(ids.runId, { thread_id: ids.threadId }), (r) => r.status === 'completed');
  assert.equal(done.status, 'completed');
  const messages = await client.beta.threads.messages.list(ids.threadId, { order: 'asc' });
  const answers = messages.data.filter((m) => m.role === 'assistant');
  assert.equal(answers.length, 1, 'exactly one assistant message');
  assert.equal(answers[0]!.status, 'completed');
  assert.equal(answers[0]!.content[0]?.type === 'text' && answers[0]!.content[0].text.value, 'Hello from the fake upstream.');
  const steps = await client.beta.threads.runs.steps.list(ids.runId, { thread_id: ids.threadId });
  assert.deepEqual(steps.data.map((s) => [s.type, s.status]), [['message_creation', 'completed']]);
}

async function withCrash(dialect: Dialect, fn: (ctx: { fake: FakeUpstream; dbUrl: string; servers: SpawnedServer[] }) => Promise<void>) {
  const fake = await startFakeUpstream();
  const db = await createTestDatabaseUrl(dialect);
  const servers: SpawnedServer[] = [];
  try {
    await fn({ fake, dbUrl: db.url, servers });
  } finally {
    for (const s of servers) s.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    await fake.close();
    await db.drop();
  }
}

for (const dialect of testDialects()) {
  describe(`crash recovery (${dialect})`, () => {
    it('should resume its own run at once after kill -9 mid-answer, with one complete message and no leftovers', () =>
      withCrash(dialect, async ({ fake, dbUrl, servers }) => {
        // A lease of 10 minutes: the run can only finish within the test's wait if the restarted
        // instance recognises the run as its own, rather than waiting for the lease to lapse.
        const env = serverEnv({ fake, dbUrl, leaseMs: 600_000 });
        const first = await spawnServer(env);
        servers.push(first);
        const ids = await crashMidAnswer(first, fake);
        const second = await spawnServer(env);
        servers.push(second);
        await assertFinished(second, ids);
      }));

    if (dialect === 'postgres')
      it("should let another instance take a dead instance's run over once its lease lapses", () =>
        withCrash(dialect, async ({ fake, dbUrl, servers }) => {
          const first = await spawnServer(serverEnv({ fake, dbUrl, leaseMs: 1_000 }));
          servers.push(first);
          const ids = await crashMidAnswer(first, fake);
          // Another data dir: another instance, which knows nothing of the first one's leases.
          const other = await spawnServer(serverEnv({ fake, dbUrl, leaseMs: 1_000 }));
          servers.push(other);
          await assertFinished(other, ids);
          assert.ok(other.logs.some((l) => l.msg === 'resuming an interrupted run'));
          assert.ok(!other.logs.some((l) => l.msg === 'taking back the runs this instance held before it stopped'));
        }));
  });
}
