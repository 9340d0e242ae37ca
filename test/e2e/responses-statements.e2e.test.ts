import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { statementCounter, type StatementCounts } from '../support/statement-counter.js';
import { waitFor } from '../support/until.js';

const COMPLETIONS = '/v1/chat/completions';
const answer = () => ({ type: 'sse' as const, chunks: chatChunks({ content: 'Paris.', usage: { prompt_tokens: 11, completion_tokens: 2 } }) });

/**
 * What one streamed, stored Responses call costs the database (issue 12 item 8: the Responses path's CPU is mostly
 * its statements and commits). The counts are exact: a change that adds a statement or a commit to this path fails
 * here, and the number is raised only on purpose. Background work is left out: the worker's and the ingestion's
 * polls are an hour apart, and what is written off the request path (usage, rate-limit counters, a key's last use)
 * or checked on a timer (the instance's lock on PostgreSQL) or read again when a cache lapses (a project's rate
 * limits) is not counted, nor are transactions made only of it.
 */
const OFF_PATH = /usage_buckets|usage_meters|rate_limit_counters|project_rate_limits|api_keys|^select 1$/;

/** Per dialect: statements, commits, commits that waited for the disk. */
const EXPECTED = {
  sqlite: { statements: 13, commits: 2, durableCommits: 1 },
  postgres: { statements: 12, commits: 2, durableCommits: 1 },
};

/**
 * A streamed `store: false` response (no conversation, no previous response, no code_interpreter) keeps nothing,
 * and nobody reads any of it back: nothing of it is written — its run is held in memory from its create to its end
 * (was 13 statements and 2 commits on SQLite, 11 and 2 on PostgreSQL). Its usage is still recorded (off the request
 * path, in the usage recorder's batches).
 */
const UNSTORED = { statements: 0, commits: 0, durableCommits: 0 };

/**
 * PostgreSQL's NOTIFYs of the run's events are coalesced per tick (engine/pg-notices.ts), so how many statements
 * carry them depends on timing (2 or 3 seen): counted apart, with a bound, not in the exact count.
 */
const NOTIFY = /pg_notify/;
const MAX_NOTIFY_STATEMENTS = 4;

for (const dialect of testDialects()) {
  describe(`responses: statements per streamed response (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    let counter: ReturnType<typeof statementCounter>;

    before(async () => {
      counter = statementCounter(OFF_PATH);
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { worker: { pollMs: 3_600_000 } } });
      client = app.client();
    });
    after(async () => {
      counter.dispose();
      await app.close();
      await fake.close();
    });

    async function streamOne(store = true): Promise<{ counts: StatementCounts; types: string[] }> {
      fake.enqueue(COMPLETIONS, answer());
      counter.start();
      const types: string[] = [];
      for await (const e of await client.responses.create({ model: 'gpt-4o-mini', input: 'Capital of France?', stream: true, store })) types.push(e.type);
      return { counts: counter.stop(), types };
    }

    it('should store a streamed response in a fixed number of statements, with one commit that waits for the disk', async () => {
      await streamOne(); // warm: caches, the key's lookup
      const { counts, types } = await streamOne();
      assert.equal(types.at(-1), 'response.completed');
      const expected = EXPECTED[dialect];
      const statements = counts.statements.filter((s) => !NOTIFY.test(s));
      const got = { statements: statements.length, commits: counts.commits, durableCommits: counts.durableCommits };
      assert.deepEqual(got, expected, `statements:\n${counts.statements.join('\n')}`);
      const notifies = counts.statements.length - statements.length;
      assert.ok(notifies <= MAX_NOTIFY_STATEMENTS, `${notifies} NOTIFY statements:\n${counts.statements.join('\n')}`);
      if (dialect === 'sqlite') assert.equal(notifies, 0);
    });

    it('should write nothing of a streamed store:false response: no statement, no commit', async () => {
      await streamOne(false);
      const { counts, types } = await streamOne(false);
      assert.equal(types.at(-1), 'response.completed');
      // Not even a NOTIFY on PostgreSQL: no other instance can follow it (RunEventBus.keepLocal).
      const got = { statements: counts.statements.length, commits: counts.commits, durableCommits: counts.durableCommits };
      assert.deepEqual(got, UNSTORED, `statements:\n${counts.statements.join('\n')}`);
      // The model still had the input, from memory.
      const sent = fake.calls.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
      assert.deepEqual(sent.messages.at(-1), { role: 'user', content: 'Capital of France?' });
    });

    it('should write nothing of a store:false stream that searches files over two turns, its second turn given the first', async () => {
      const store = await client.vectorStores.create({ name: 'kepler' });
      await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from('The Zorbulon reactor runs on liquid argon.\n'), 'kepler.txt'));
      const search = chatChunks({ toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: '{"query":"reactor fuel"}' }], usage: { prompt_tokens: 11, completion_tokens: 3 } });
      fake.enqueue(COMPLETIONS, { type: 'sse', chunks: search }, answer());
      const calls = fake.calls.length;
      counter.start();
      const types: string[] = [];
      const tools = [{ type: 'file_search' as const, vector_store_ids: [store.id] }];
      for await (const e of await client.responses.create({ model: 'gpt-4o-mini', input: 'What does the reactor run on?', tools, stream: true, store: false }))
        types.push(e.type);
      const counts = counter.stop();
      assert.equal(types.at(-1), 'response.completed');
      // It reads what it searches, and writes nothing of its own: only the vector store's last_active_at, which a
      // search moves (at most once a second), whoever searches.
      const writes = counts.statements.filter((s) => /^(insert|update|delete)\b/i.test(s));
      const touches = writes.filter((s) => /^update "vector_stores" set "last_active_at"/i.test(s)).length;
      const got = { writes: writes.length - touches, commits: counts.commits - touches };
      assert.deepEqual(got, { writes: 0, commits: 0 }, `statements:\n${counts.statements.join('\n')}`);
      // The second turn had the input, the first turn's call and its result: all from memory.
      const [, second] = fake.calls.slice(calls).filter((c) => c.path === COMPLETIONS);
      const messages = (second!.body as { messages: Array<{ role: string; content?: unknown; tool_call_id?: string }> }).messages;
      assert.deepEqual(messages.find((m) => m.role === 'user'), { role: 'user', content: 'What does the reactor run on?' });
      const result = messages.find((m) => m.role === 'tool');
      assert.equal(result?.tool_call_id, 'call_fs');
      assert.match(String(result?.content), /liquid argon/);
    });

    it('should wait for the disk in no commit when the client of a store:false stream goes away', async () => {
      const upstream = controlledStream();
      fake.enqueue(COMPLETIONS, { type: 'controlled', handle: upstream });
      for (const chunk of chatChunks({ content: ['Par', 'is.'] }).slice(0, 2)) upstream.write(chunk);
      counter.start();
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Capital of France?', stream: true, store: false });
      let id = '';
      for await (const e of stream) {
        if (e.type === 'response.created') id = e.response.id;
        if (e.type === 'response.output_text.delta') break; // the client goes away mid-answer
      }
      // The server notices at one of its next events (src/api/responses.ts checks sse.closed before each write): the
      // model goes on until its run is cancelled.
      const more = chatChunks({ content: ['x'] })[1]!;
      await waitFor(() => (upstream.isAborted() ? true : (upstream.write(more), false)), 'the run to be cancelled');
      const db = app.server.deps.store.db;
      await waitFor(async () => (await db.selectFrom('responses').select('id').where('id', '=', id).execute()).length === 0, 'its rows to go');
      const counts = counter.stop();
      assert.equal(counts.durableCommits, 0, `statements:\n${counts.statements.join('\n')}`);
    });
  });
}
