import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { Message } from 'openai/resources/beta/threads/messages';
import type { Thread } from 'openai/resources/beta/threads/threads';
import { insertUserMessages } from '../../src/services/messages.service.js';
import type { RunStatus } from '../../src/store/tables/runs.table.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';

const text = (value: string) => ({ type: 'text' as const, text: { value, annotations: [] } });
const userMessage = (content: string) => ({ role: 'user' as const, content });

/** Invalid CreateMessageRequest bodies: [what, body, param, code]. */
const INVALID_MESSAGES: Array<[string, Record<string, unknown>, string, string]> = [
  ['a missing role', { content: 'hi' }, 'role', 'missing_required_parameter'],
  ['the system role', { role: 'system', content: 'hi' }, 'role', 'invalid_value'],
  ['a missing content', { role: 'user' }, 'content', 'missing_required_parameter'],
  ['a numeric content', { role: 'user', content: 5 }, 'content', 'invalid_type'],
  ['an empty content array', { role: 'user', content: [] }, 'content', 'empty_array'],
  ['an unknown content part', { role: 'user', content: [{ type: 'video' }] }, 'content[0].type', 'invalid_value'],
  ['a text part without text', { role: 'user', content: [{ type: 'text' }] }, 'content[0].text', 'missing_required_parameter'],
  ['an image_file without file_id', { role: 'user', content: [{ type: 'image_file', image_file: {} }] }, 'content[0].image_file.file_id', 'missing_required_parameter'],
  ['an unknown image detail', { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'ultra' } }] }, 'content[0].image_url.detail', 'invalid_value'],
  ['an attachment without file_id', { role: 'user', content: 'hi', attachments: [{ tools: [] }] }, 'attachments[0].file_id', 'missing_required_parameter'],
  ['an attachment tool of an unknown type', { role: 'user', content: 'hi', attachments: [{ file_id: 'file-1', tools: [{ type: 'function' }] }] }, 'attachments[0].tools[0].type', 'invalid_value'],
  ['more than 16 metadata pairs', { role: 'user', content: 'hi', metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata', 'object_above_max_properties'],
];

for (const dialect of testDialects()) {
  describe(`threads and messages (${dialect})`, () => {
    let app: TestApp;
    let client: OpenAI;
    let other: OpenAI;
    let tenantA: string;
    let thread: Thread;
    let first: Message;
    /** A file, an image file and a vector store of the tenant, for tool_resources and parts (ids must be the tenant's). */
    let fileId: string;
    let imageId: string;
    let vectorStoreId: string;

    const db = () => app.server.deps.store.db;
    let runCount = 0;
    async function insertRun(threadId: string, status: RunStatus): Promise<string> {
      const id = `run_test${++runCount}`;
      await db()
        .insertInto('runs')
        .values({
          id,
          tenant_id: tenantA,
          thread_id: threadId,
          assistant_id: 'asst_test',
          api_key_id: 'key_test',
          seq: Date.now() * 1000 + runCount,
          created_at: Math.floor(Date.now() / 1000),
          status,
          model: 'gpt-4o',
          instructions: '',
          tools: '[]',
          metadata: '{}',
          parallel_tool_calls: 1,
          attempts: 0,
          // Held by a make-believe worker, so the app's run worker leaves it alone.
          lease_owner: 'worker_test',
          lease_expires_at: Date.now() + 3_600_000,
        })
        .execute();
      return id;
    }

    before(async () => {
      app = await createTestApp({ dialect });
      client = app.client(TEST_KEYS[0]);
      other = app.client(TEST_KEYS[1]);
      thread = await client.beta.threads.create({ messages: [userMessage('first')] });
      first = (await client.beta.threads.messages.list(thread.id)).data[0]!;
      const row = await db().selectFrom('threads').select('tenant_id').where('id', '=', thread.id).executeTakeFirstOrThrow();
      tenantA = row.tenant_id;
      const upload = async (name: string) =>
        (await client.files.create({ file: await toFile(Buffer.from(name), name), purpose: 'assistants' })).id;
      fileId = await upload('notes.txt');
      imageId = await upload('image.png');
      vectorStoreId = (await client.vectorStores.create({})).id;
    });
    after(() => app.close());

    it('should create an empty thread with OpenAI defaults', async () => {
      const t = await client.beta.threads.create();
      assert.match(t.id, /^thread_[A-Za-z0-9]{24}$/);
      assert.deepEqual(t, { id: t.id, object: 'thread', created_at: t.created_at, metadata: {}, tool_resources: {} });
      assert.ok(Math.abs(t.created_at - Date.now() / 1000) < 5);
      assert.deepEqual((await client.beta.threads.messages.list(t.id)).data, []);
    });

    it('should create a thread with its messages, metadata and tool_resources', async () => {
      const t = await client.beta.threads.create({
        messages: [userMessage('Hello, what is AI?'), { role: 'assistant', content: 'A field of study.', metadata: { n: '2' } }],
        metadata: { user: 'u1' },
        tool_resources: { code_interpreter: { file_ids: [fileId] }, file_search: { vector_store_ids: [vectorStoreId] } },
      });
      assert.deepEqual(t.metadata, { user: 'u1' });
      assert.deepEqual(t.tool_resources, { code_interpreter: { file_ids: [fileId] }, file_search: { vector_store_ids: [vectorStoreId] } });
      assert.deepEqual(await client.beta.threads.retrieve(t.id), t);
      const messages = (await client.beta.threads.messages.list(t.id, { order: 'asc' })).data;
      assert.deepEqual(
        messages.map((m) => [m.role, m.content, m.metadata]),
        [
          ['user', [text('Hello, what is AI?')], {}],
          ['assistant', [text('A field of study.')], { n: '2' }],
        ],
      );
    });

    it('should return a message with every field of the spec', async () => {
      const m = await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'How does AI work?' });
      assert.match(m.id, /^msg_[A-Za-z0-9]{24}$/);
      assert.deepEqual(m, {
        id: m.id,
        object: 'thread.message',
        created_at: m.created_at,
        thread_id: thread.id,
        status: 'completed',
        incomplete_details: null,
        completed_at: null,
        incomplete_at: null,
        role: 'user',
        content: [text('How does AI work?')],
        assistant_id: null,
        run_id: null,
        attachments: [],
        metadata: {},
      });
      assert.deepEqual(await client.beta.threads.messages.retrieve(m.id, { thread_id: thread.id }), m);
    });

    it('should keep text, image_file and image_url parts, and attachments', async () => {
      // A file_search attachment must name a real file (it is indexed into the thread's vector store).
      const doc = await client.files.create({ file: await toFile(Buffer.from('notes'), 'doc.txt'), purpose: 'assistants' });
      const m = await client.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image_file', image_file: { file_id: imageId, detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
        attachments: [{ file_id: doc.id, tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] }],
        metadata: { k: 'v' },
      });
      assert.deepEqual(m.content, [
        text('Look:'),
        { type: 'image_file', image_file: { file_id: imageId, detail: 'low' } },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ]);
      assert.deepEqual(m.attachments, [{ file_id: doc.id, tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] }]);
      assert.deepEqual(m.metadata, { k: 'v' });
    });

    it('should keep insertion order even within one millisecond', async () => {
      const t = await client.beta.threads.create({ messages: Array.from({ length: 30 }, (_, i) => userMessage(`m${i}`)) });
      const sameMs = Date.now();
      for (let i = 30; i < 35; i++)
        await insertUserMessages(db(), { tenantId: tenantA, threadId: t.id, nowMs: sameMs, ids: app.server.deps.ids, messages: [userMessage(`m${i}`)] });
      const seen = [];
      for await (const m of client.beta.threads.messages.list(t.id, { order: 'asc', limit: 7 })) {
        seen.push((m.content[0] as { text: { value: string } }).text.value);
      }
      assert.deepEqual(seen, Array.from({ length: 35 }, (_, i) => `m${i}`));
      const newest = await client.beta.threads.messages.list(t.id, { limit: 2 });
      assert.deepEqual(newest.data.map((m) => (m.content[0] as { text: { value: string } }).text.value), ['m34', 'm33']);
    });

    it('should paginate messages with after, before and exact has_more', async () => {
      const t = await client.beta.threads.create();
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await client.beta.threads.messages.create(t.id, userMessage(`p${i}`))).id);
      const pages = [];
      for await (const page of (await client.beta.threads.messages.list(t.id, { limit: 2 })).iterPages())
        pages.push([page.data.map((m) => m.id), page.has_more]);
      assert.deepEqual(pages, [[[ids[4], ids[3]], true], [[ids[2], ids[1]], true], [[ids[0]], false]]);
      const afterPage = await client.beta.threads.messages.list(t.id, { after: ids[1], order: 'asc', limit: 3 });
      assert.deepEqual([afterPage.data.map((m) => m.id), afterPage.has_more], [[ids[2], ids[3], ids[4]], false]);
      const beforePage = await client.beta.threads.messages.list(t.id, { before: ids[3], order: 'asc', limit: 2 });
      assert.deepEqual([beforePage.data.map((m) => m.id), beforePage.has_more], [[ids[1], ids[2]], true]);
      await rejectsWith(client.beta.threads.messages.list(t.id, { after: first.id }), { param: 'after' });
    });

    it('should filter messages by run_id', async () => {
      const t = await client.beta.threads.create({ messages: [userMessage('question')] });
      const runId = await insertRun(t.id, 'completed');
      const byRun = await insertUserMessages(db(), {
        tenantId: tenantA,
        threadId: t.id,
        nowMs: Date.now(),
        ids: app.server.deps.ids,
        messages: [{ role: 'assistant', content: 'answer' }],
      });
      await db().updateTable('messages').set({ run_id: runId, assistant_id: 'asst_test' }).where('id', '=', byRun[0]!.id).execute();
      const page = await client.beta.threads.messages.list(t.id, { run_id: runId });
      assert.deepEqual(page.data.map((m) => [m.id, m.run_id, m.assistant_id]), [[byRun[0]!.id, runId, 'asst_test']]);
      assert.equal((await client.beta.threads.messages.list(t.id)).data.length, 2);
      assert.deepEqual((await client.beta.threads.messages.list(t.id, { run_id: 'run_other' })).data, []);
    });

    it('should refuse new messages while a run is active', async () => {
      const t = await client.beta.threads.create();
      const runId = await insertRun(t.id, 'in_progress');
      await rejectsWith(client.beta.threads.messages.create(t.id, userMessage('too soon')), {
        param: null,
        message: `Can't add messages to ${t.id} while a run ${runId} is active.`,
      });
      await db().updateTable('runs').set({ status: 'requires_action' }).where('id', '=', runId).execute();
      await rejectsWith(client.beta.threads.messages.create(t.id, userMessage('too soon')), { param: null });
      await db().updateTable('runs').set({ status: 'completed' }).where('id', '=', runId).execute();
      assert.equal((await client.beta.threads.messages.create(t.id, userMessage('now'))).thread_id, t.id);
    });

    it('should update only message metadata', async () => {
      const m = await client.beta.threads.messages.create(thread.id, { ...userMessage('meta'), metadata: { a: '1' } });
      const updated = await client.beta.threads.messages.update(m.id, { thread_id: thread.id, metadata: { modified: 'true' } });
      assert.deepEqual(updated, { ...m, metadata: { modified: 'true' } });
      const ignored = await client.post<Message>(`/threads/${thread.id}/messages/${m.id}`, { body: { content: 'changed', role: 'assistant' } });
      assert.deepEqual(ignored, updated);
      await rejectsWith(client.beta.threads.messages.update(m.id, { thread_id: thread.id, metadata: { k: 'x'.repeat(513) } }), {
        param: 'metadata.k',
        code: 'string_above_max_length',
      });
    });

    it('should delete a message', async () => {
      const m = await client.beta.threads.messages.create(thread.id, userMessage('bye'));
      const deleted = await client.beta.threads.messages.delete(m.id, { thread_id: thread.id });
      assert.deepEqual(deleted, { id: m.id, object: 'thread.message.deleted', deleted: true });
      const message = `No message found with id '${m.id}'.`;
      await rejectsWith(client.beta.threads.messages.retrieve(m.id, { thread_id: thread.id }), { status: 404, param: null, message });
      await rejectsWith(client.beta.threads.messages.delete(m.id, { thread_id: thread.id }), { status: 404, param: null, message });
    });

    it('should update thread metadata and tool_resources', async () => {
      const t = await client.beta.threads.create({ metadata: { a: '1' } });
      const updated = await client.beta.threads.update(t.id, {
        metadata: { b: '2' },
        tool_resources: { code_interpreter: { file_ids: [fileId] } },
      });
      assert.deepEqual(updated, { ...t, metadata: { b: '2' }, tool_resources: { code_interpreter: { file_ids: [fileId] } } });
      assert.deepEqual(await client.beta.threads.retrieve(t.id), updated);
      assert.deepEqual(await client.beta.threads.update(t.id, {}), updated);
      await rejectsWith(client.beta.threads.update(t.id, { tool_resources: { file_search: { vector_store_ids: ['vs_1', 'vs_2'] } } }), {
        param: 'tool_resources.file_search.vector_store_ids',
        code: 'array_above_max_length',
      });
    });

    it('should delete a thread with its messages and runs', async () => {
      const t = await client.beta.threads.create({ messages: [userMessage('a'), userMessage('b')] });
      await insertRun(t.id, 'completed');
      assert.deepEqual(await client.beta.threads.delete(t.id), { id: t.id, object: 'thread.deleted', deleted: true });
      const message = `No thread found with id '${t.id}'.`;
      await rejectsWith(client.beta.threads.retrieve(t.id), { status: 404, param: null, message });
      await rejectsWith(client.beta.threads.messages.list(t.id), { status: 404, param: null, message });
      await rejectsWith(client.beta.threads.delete(t.id), { status: 404, param: null, message });
      const left = await Promise.all(
        (['messages', 'runs'] as const).map((table) =>
          db().selectFrom(table).select('id').where('thread_id', '=', t.id).execute(),
        ),
      );
      assert.deepEqual(left, [[], []]);
    });

    for (const [what, body, param, code] of INVALID_MESSAGES) {
      it(`should reject a message with ${what} (param ${param})`, async () => {
        await rejectsWith(client.post(`/threads/${thread.id}/messages`, { body }), { param, code });
        await rejectsWith(client.post('/threads', { body: { messages: [userMessage('ok'), body] } }), {
          param: `messages[1].${param}`,
          code,
        });
      });
    }

    it('should word message errors as OpenAI does', async () => {
      await rejectsWith(client.post(`/threads/${thread.id}/messages`, { body: { role: 'system', content: 'x' } }), {
        param: 'role',
        message: "Invalid value: 'system'. Supported values are: 'user' and 'assistant'.",
      });
      await rejectsWith(client.post(`/threads/${thread.id}/messages`, { body: { role: 'user', content: [] } }), {
        param: 'content',
        message: "Invalid 'content': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      });
      await rejectsWith(client.post(`/threads/${thread.id}/messages`, { body: { role: 'user', content: 5 } }), {
        param: 'content',
        message: "Invalid type for 'content': expected one of a string or array of objects, but got an integer instead.",
      });
    });

    it('should validate thread create and update bodies', async () => {
      const meta17 = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
      await rejectsWith(client.post('/threads', { body: { metadata: meta17 } }), { param: 'metadata', code: 'object_above_max_properties' });
      await rejectsWith(client.post('/threads', { body: { messages: 'hi' } }), { param: 'messages', code: 'invalid_type' });
      await rejectsWith(client.post('/threads', { body: { tool_resources: { code_interpreter: { file_ids: Array(21).fill('f') } } } }), {
        param: 'tool_resources.code_interpreter.file_ids',
        code: 'array_above_max_length',
      });
      await rejectsWith(client.post(`/threads/${thread.id}`, { body: { metadata: meta17 } }), { param: 'metadata' });
    });

    it('should answer 404 for unknown threads and messages', async () => {
      const message = "No thread found with id 'thread_nope'.";
      await rejectsWith(client.beta.threads.retrieve('thread_nope'), { status: 404, param: null, code: null, message });
      await rejectsWith(client.beta.threads.update('thread_nope', { metadata: {} }), { status: 404, param: null, message });
      await rejectsWith(client.beta.threads.messages.create('thread_nope', userMessage('x')), { status: 404, param: null, message });
      await rejectsWith(client.beta.threads.messages.retrieve(first.id, { thread_id: 'thread_nope' }), { status: 404, param: null, message });
      await rejectsWith(client.beta.threads.messages.retrieve('msg_nope', { thread_id: thread.id }), {
        status: 404,
        param: null,
        message: "No message found with id 'msg_nope'.",
      });
      const elsewhere = await client.beta.threads.create();
      await rejectsWith(client.beta.threads.messages.retrieve(first.id, { thread_id: elsewhere.id }), { status: 404, param: null });
      await rejectsWith(client.beta.threads.messages.update('msg_nope', { thread_id: thread.id, metadata: {} }), { status: 404, param: null });
    });

    it("should hide another tenant's threads and messages on every route", async () => {
      const m404 = { status: 404, param: null, message: `No thread found with id '${thread.id}'.` };
      await rejectsWith(other.beta.threads.retrieve(thread.id), m404);
      await rejectsWith(other.beta.threads.update(thread.id, { metadata: { x: 'y' } }), m404);
      await rejectsWith(other.beta.threads.delete(thread.id), m404);
      await rejectsWith(other.beta.threads.messages.create(thread.id, userMessage('intrude')), m404);
      await rejectsWith(other.beta.threads.messages.list(thread.id), m404);
      await rejectsWith(other.beta.threads.messages.retrieve(first.id, { thread_id: thread.id }), m404);
      await rejectsWith(other.beta.threads.messages.update(first.id, { thread_id: thread.id, metadata: {} }), m404);
      await rejectsWith(other.beta.threads.messages.delete(first.id, { thread_id: thread.id }), m404);
      const theirs = await other.beta.threads.create({ messages: [userMessage('theirs')] });
      const theirMessage = (await other.beta.threads.messages.list(theirs.id)).data[0]!;
      await rejectsWith(client.beta.threads.retrieve(theirs.id), { status: 404, param: null });
      await rejectsWith(client.beta.threads.messages.retrieve(theirMessage.id, { thread_id: theirs.id }), { status: 404, param: null });
      await rejectsWith(other.beta.threads.messages.list(theirs.id, { after: first.id }), { param: 'after' });
      assert.deepEqual((await client.beta.threads.retrieve(thread.id)).metadata, {});
      assert.deepEqual((await client.beta.threads.messages.retrieve(first.id, { thread_id: thread.id })).content, [text('first')]);
    });

    it('should work with the 4.x SDK', async () => {
      const v4 = app.clientV4();
      const t = await v4.beta.threads.create({ messages: [{ role: 'user', content: 'v4 hello' }] });
      assert.deepEqual(await v4.beta.threads.retrieve(t.id), t);
      const m = await v4.beta.threads.messages.create(t.id, { role: 'user', content: 'again' });
      const list = await v4.beta.threads.messages.list(t.id, { order: 'asc' });
      assert.deepEqual(list.data.map((x) => x.content), [[text('v4 hello')], [text('again')]]);
      assert.deepEqual(await v4.beta.threads.messages.del(t.id, m.id), { id: m.id, object: 'thread.message.deleted', deleted: true });
      assert.deepEqual(await v4.beta.threads.del(t.id), { id: t.id, object: 'thread.deleted', deleted: true });
    });
  });
}
