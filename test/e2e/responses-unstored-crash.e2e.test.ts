import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { openDb } from '../../src/store/open-db.js';
import { rejectsWith } from '../support/api-errors.js';
import { TEST_KEYS } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { until } from '../support/until.js';

const COMPLETIONS = '/v1/chat/completions';

function serverEnv(fake: FakeUpstream, dbUrl: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-unstored-crash-'));
  const config = join(dir, 'switchboard.yaml');
  writeFileSync(config, 'runs:\n  lease_ms: 600000\n  poll_ms: 100\n');
  return {
    SWITCHBOARD_UPSTREAM_URL: fake.url,
    SWITCHBOARD_API_KEYS: TEST_KEYS[0],
    SWITCHBOARD_DATABASE_URL: dbUrl,
    SWITCHBOARD_DATA_DIR: join(dir, 'data'),
    SWITCHBOARD_CONFIG: config,
  };
}

/**
 * A `store: false` response keeps nothing, and none of its commits waits for the disk (engine/run-driver.ts): after
 * kill -9 mid-answer its client is gone with the process, so the restarted server forgets what is left of it rather
 * than run it again for nobody — it is never visible, and never left running.
 */
for (const dialect of testDialects()) {
  describe(`store:false responses after kill -9 (${dialect})`, () => {
    it('should forget the interrupted response on restart: no rows left, not run again, never retrievable', async () => {
      const fake = await startFakeUpstream();
      const db = await createTestDatabaseUrl(dialect);
      const servers: SpawnedServer[] = [];
      try {
        const env = serverEnv(fake, db.url);
        const first = await spawnServer(env);
        servers.push(first);
        const upstream = controlledStream();
        fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
        const c1 = new OpenAI({ apiKey: TEST_KEYS[0], baseURL: first.baseURL, maxRetries: 0 });
        const stream = await c1.responses.create({ model: 'gpt-4o-mini', input: 'Tell me a story', stream: true, store: false });
        let id: string | undefined;
        await upstream.started;
        const [role, text] = chatChunks({ content: ['Once upon a time'] });
        upstream.write(role);
        upstream.write(text);
        for await (const event of stream) {
          if (event.type === 'response.created') id = event.response.id;
          if (event.type === 'response.output_text.delta') break;
        }
        assert.ok(id);
        await rejectsWith(c1.responses.retrieve(id), { status: 404 });
        first.child.kill('SIGKILL');
        await first.exited;

        const second = await spawnServer(env);
        servers.push(second);
        const store = openDb(db.url);
        try {
          const left = async () => {
            const [responses, runs, threads] = await Promise.all([
              store.db.selectFrom('responses').select('id').where('id', '=', id!).execute(),
              store.db.selectFrom('runs').select('id').execute(),
              store.db.selectFrom('threads').select('id').execute(),
            ]);
            return responses.length + runs.length + threads.length;
          };
          assert.equal(await until(left, (n) => n === 0), 0, 'the response, its run and its hidden thread are gone');
        } finally {
          await store.close();
        }
        const c2 = new OpenAI({ apiKey: TEST_KEYS[0], baseURL: second.baseURL, maxRetries: 0 });
        await rejectsWith(c2.responses.retrieve(id), { status: 404 });
        // Forgotten, not resumed: the model was called once, by the first server.
        assert.equal(fake.calls.filter((c) => c.path === COMPLETIONS).length, 1);
      } finally {
        for (const s of servers) s.child.kill('SIGKILL');
        await Promise.all(servers.map((s) => s.exited));
        await fake.close();
        await db.drop();
      }
    });
  });
}
