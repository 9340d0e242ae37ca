import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { ConversationItem } from 'openai/resources/conversations/items';
import type { Message as ItemMessage } from 'openai/resources/conversations/conversations';
import type { Message } from 'openai/resources/beta/threads/messages';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';
import { conversationHistory } from '../../src/services/conversation-items.service.js';

const user = (text: string) => ({ type: 'message' as const, role: 'user' as const, content: [{ type: 'input_text' as const, text }] });
const textOfItem = (item: ConversationItem | undefined): string => {
  assert.ok(item && item.type === 'message', `expected a message item, got ${JSON.stringify(item)}`);
  return (item as ItemMessage).content.map((p) => ('text' in p ? p.text : '')).join('');
};
const textOfMessage = (m: Message | undefined): string =>
  (m?.content ?? []).map((c) => (c.type === 'text' ? c.text.value : '')).join('');

for (const dialect of testDialects()) {
  describe(`conversations (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    let other: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client(TEST_KEYS[0]);
      other = app.client(TEST_KEYS[1]);
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());
    const db = () => app.server.deps.store.db;
    const tenantOf = async (threadId: string) =>
      (await db().selectFrom('threads').select('tenant_id').where('id', '=', threadId).executeTakeFirstOrThrow()).tenant_id;

    it('should create a conversation with items and metadata, and retrieve it', async () => {
      const conv = await client.conversations.create({
        items: [user('Hello!'), { role: 'assistant', content: 'Hi there.' }],
        metadata: { topic: 'greeting' },
      });
      assert.match(conv.id, /^conv_[A-Za-z0-9]{24}$/);
      assert.equal(conv.object, 'conversation');
      assert.deepEqual(conv.metadata, { topic: 'greeting' });
      assert.equal(typeof conv.created_at, 'number');
      assert.deepEqual(await client.conversations.retrieve(conv.id), conv);
      const items = await client.conversations.items.list(conv.id, { order: 'asc' });
      assert.deepEqual(
        items.data.map((i) => [i.type, i.type === 'message' && i.role, i.type === 'message' && i.content[0]?.type]),
        [
          ['message', 'user', 'input_text'],
          ['message', 'assistant', 'output_text'],
        ],
      );
      assert.deepEqual(items.data[1], {
        id: items.data[1]!.id,
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hi there.', annotations: [], logprobs: [] }],
      });
    });

    it('should update the metadata, and delete the conversation with its items', async () => {
      const conv = await client.conversations.create({ items: [user('a')], metadata: { a: '1' } });
      const updated = await client.conversations.update(conv.id, { metadata: { b: '2' } });
      assert.deepEqual(updated.metadata, { b: '2' });
      assert.deepEqual((await client.conversations.retrieve(conv.id)).metadata, { b: '2' });
      const deleted = await client.conversations.delete(conv.id);
      assert.deepEqual(deleted, { id: conv.id, object: 'conversation.deleted', deleted: true });
      await rejectsWith(client.conversations.retrieve(conv.id), { status: 404, message: `No conversation found with id '${conv.id}'.` });
      await rejectsWith(client.conversations.items.list(conv.id), { status: 404 });
      await rejectsWith(client.beta.threads.retrieve(conv.id), { status: 404 });
      for (const table of ['messages', 'conversation_items'] as const) {
        const left = await db().selectFrom(table).select('id').where('thread_id', '=', conv.id).execute();
        assert.deepEqual(left, [], table);
      }
    });

    it('should page through items in both orders, with an after cursor', async () => {
      const conv = await client.conversations.create({});
      const created = await client.conversations.items.create(conv.id, {
        items: [
          user('one'),
          { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
          user('three'),
          { type: 'function_call_output', call_id: 'call_1', output: 'four' },
          user('five'),
        ],
      });
      const ids = created.data.map((i) => i.id!);
      assert.equal(ids.length, 5);
      assert.equal(created.first_id, ids[0]);
      assert.equal(created.last_id, ids[4]);
      const asc: string[] = [];
      for await (const item of client.conversations.items.list(conv.id, { order: 'asc', limit: 2 })) asc.push(item.id!);
      assert.deepEqual(asc, ids);
      const desc: string[] = [];
      for await (const item of client.conversations.items.list(conv.id, { limit: 2 })) desc.push(item.id!);
      assert.deepEqual(desc, [...ids].reverse());
      const page = await client.conversations.items.list(conv.id, { order: 'asc', after: ids[1], limit: 2 });
      assert.deepEqual(page.data.map((i) => i.id), ids.slice(2, 4));
      assert.equal(page.has_more, true);
      assert.equal(page.last_id, ids[3]);
      const last = await client.conversations.items.list(conv.id, { order: 'asc', after: ids[3], limit: 2 });
      assert.deepEqual(last.data.map((i) => i.id), [ids[4]]);
      assert.equal(last.has_more, false);
      const back = await client.conversations.items.list(conv.id, { order: 'desc', after: ids[3] });
      assert.deepEqual(back.data.map((i) => i.id), ids.slice(0, 3).reverse());
    });

    it('should round-trip a function_call and its function_call_output', async () => {
      const conv = await client.conversations.create({});
      const { data } = await client.conversations.items.create(conv.id, {
        items: [
          { type: 'function_call', call_id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'call_w', output: '{"temp":21}' },
        ],
      });
      const [call, output] = data;
      assert.match(call!.id!, /^fc_/);
      assert.match(output!.id!, /^fco_/);
      assert.deepEqual(call, { type: 'function_call', call_id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed', id: call!.id });
      assert.deepEqual(output, { type: 'function_call_output', call_id: 'call_w', output: '{"temp":21}', status: 'completed', id: output!.id });
      assert.deepEqual(await client.conversations.items.retrieve(call!.id!, { conversation_id: conv.id }), call);
      assert.deepEqual(await client.conversations.items.retrieve(output!.id!, { conversation_id: conv.id }), output);
    });

    it('should retrieve and delete items; deleting answers the conversation', async () => {
      const conv = await client.conversations.create({ items: [user('keep'), user('drop')] });
      const [keep, drop] = (await client.conversations.items.list(conv.id, { order: 'asc' })).data;
      assert.equal(textOfItem(await client.conversations.items.retrieve(drop!.id!, { conversation_id: conv.id })), 'drop');
      const answer = await client.conversations.items.delete(drop!.id!, { conversation_id: conv.id });
      assert.deepEqual(answer, await client.conversations.retrieve(conv.id));
      await rejectsWith(client.conversations.items.retrieve(drop!.id!, { conversation_id: conv.id }), {
        status: 404,
        message: `No item found with id '${drop!.id}'.`,
      });
      await rejectsWith(client.conversations.items.delete(drop!.id!, { conversation_id: conv.id }), { status: 404 });
      assert.deepEqual((await client.conversations.items.list(conv.id)).data.map((i) => i.id), [keep!.id]);
      assert.deepEqual((await client.beta.threads.messages.list(conv.id)).data.map((m) => m.id), [keep!.id]);
    });

    it("should list a thread's messages, and a run's assistant message, as items with the same ids", async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'first' }] });
      await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'second' });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed');
      const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
      const items = await client.conversations.items.list(thread.id, { order: 'asc' });
      assert.deepEqual(items.data.map((i) => i.id), messages.data.map((m) => m.id));
      assert.deepEqual(items.data.map(textOfItem), ['first', 'second', 'Hello from the fake upstream.']);
      const reply = items.data[2] as ItemMessage;
      assert.equal(reply.role, 'assistant');
      assert.equal(reply.content[0]!.type, 'output_text');
      assert.deepEqual((await client.conversations.retrieve(thread.id)).id, thread.id);
    });

    it('should show user and assistant items in threads.messages.list, and keep system ones out of it', async () => {
      const thread = await client.beta.threads.create({});
      const { data } = await client.conversations.items.create(thread.id, {
        items: [
          { type: 'message', role: 'system', content: 'Be brief.' },
          user('question'),
          { type: 'message', id: 'msg_given', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'answer', annotations: [] }] },
        ],
      });
      const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
      assert.deepEqual(messages.data.map((m) => [m.id, m.role, textOfMessage(m)]), [
        [data[1]!.id, 'user', 'question'],
        [data[2]!.id, 'assistant', 'answer'],
      ]);
      assert.equal((await client.conversations.items.list(thread.id)).data.length, 3);
      await rejectsWith(client.beta.threads.messages.retrieve(data[0]!.id!, { thread_id: thread.id }), { status: 404 });
    });

    it('should keep input_file and input_image parts as given', async () => {
      const image = await client.files.create({ file: await toFile(Buffer.from('png'), 'a.png'), purpose: 'vision' });
      const conv = await client.conversations.create({
        items: [
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'look' },
              { type: 'input_image', file_id: image.id, detail: 'high' },
              { type: 'input_image', image_url: 'https://example.com/b.png', detail: 'low' },
              { type: 'input_file', file_url: 'https://example.com/c.pdf', filename: 'c.pdf' },
            ],
          },
        ],
      });
      // An image's URL shows when included (message.input_image.image_url), as OpenAI lists it.
      const [item] = (await client.conversations.items.list(conv.id, { include: ['message.input_image.image_url'] })).data;
      assert.deepEqual((item as ItemMessage).content, [
        { type: 'input_text', text: 'look' },
        { type: 'input_image', file_id: image.id, image_url: null, detail: 'high' },
        { type: 'input_image', file_id: null, image_url: 'https://example.com/b.png', detail: 'low' },
        { type: 'input_file', file_url: 'https://example.com/c.pdf', filename: 'c.pdf' },
      ]);
      const [message] = (await client.beta.threads.messages.list(conv.id)).data;
      assert.deepEqual(message!.content, [
        { type: 'text', text: { value: 'look', annotations: [] } },
        { type: 'image_file', image_file: { file_id: image.id, detail: 'high' } },
        { type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'low' } },
      ]);
    });

    it('should work as a thread: messages.list and a run see the conversation', async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', instructions: 'Be terse.' });
      const conv = await client.conversations.create({ items: [user('What is 2+2?')] });
      assert.equal((await client.beta.threads.retrieve(conv.id)).id, conv.id);
      await client.beta.threads.messages.create(conv.id, { role: 'user', content: 'Answer in words.' });
      const listed = await client.beta.threads.messages.list(conv.id, { order: 'asc' });
      assert.deepEqual(listed.data.map(textOfMessage), ['What is 2+2?', 'Answer in words.']);
      const run = await client.beta.threads.runs.createAndPoll(conv.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed');
      assert.deepEqual(fake.calls[0]!.body.messages, [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'What is 2+2?' },
        { role: 'user', content: 'Answer in words.' },
      ]);
      const items = await client.conversations.items.list(conv.id, { order: 'asc' });
      assert.equal(textOfItem(items.data.at(-1)), 'Hello from the fake upstream.');
    });

    it("should map an assistant message's citations to file_citation and container_file_citation, its markers cut from the text", async () => {
      const cited = await client.files.create({ file: await toFile(Buffer.from('facts'), 'facts.txt'), purpose: 'assistants' });
      const written = await client.files.create({ file: await toFile(Buffer.from('1,2'), 'out.csv'), purpose: 'assistants' });
      const thread = await client.beta.threads.create({});
      const value = 'See【4:0†facts.txt】 and sandbox:/mnt/data/out.csv';
      await db()
        .insertInto('messages')
        .values({
          id: 'msg_cited_' + dialect,
          tenant_id: await tenantOf(thread.id),
          thread_id: thread.id,
          seq: Date.now() * 1000,
          created_at: Math.floor(Date.now() / 1000),
          role: 'assistant',
          content: JSON.stringify([
            {
              type: 'text',
              text: {
                value,
                annotations: [
                  { type: 'file_citation', text: '【4:0†facts.txt】', start_index: 3, end_index: 18, file_citation: { file_id: cited.id } },
                  { type: 'file_path', text: 'sandbox:/mnt/data/out.csv', start_index: 23, end_index: 48, file_path: { file_id: written.id } },
                ],
              },
            },
          ]),
          attachments: '[]',
          metadata: '{}',
          assistant_id: null,
          run_id: null,
          status: 'completed',
          incomplete_details: null,
          completed_at: null,
          incomplete_at: null,
        })
        .execute();
      const [item] = (await client.conversations.items.list(thread.id)).data;
      // Responses text has no markers (the citation stands where its marker stood); the Assistants text keeps it.
      assert.deepEqual((item as ItemMessage).content, [
        {
          type: 'output_text',
          text: 'See and sandbox:/mnt/data/out.csv',
          annotations: [
            { type: 'file_citation', file_id: cited.id, filename: 'facts.txt', index: 3 },
            { type: 'container_file_citation', container_id: thread.id, file_id: written.id, filename: 'out.csv', start_index: 8, end_index: 33 },
          ],
          logprobs: [],
        },
      ]);
      assert.deepEqual(await client.conversations.items.retrieve(item!.id!, { conversation_id: thread.id }), item);
      const [message] = (await client.beta.threads.messages.list(thread.id)).data;
      assert.equal(message!.content[0]!.type === 'text' && message!.content[0]!.text.value, value);
    });

    it('should read the whole conversation in order as its history', async () => {
      const conv = await client.conversations.create({
        items: [
          { type: 'message', role: 'developer', content: 'Use tools.' },
          user('weather?'),
          { type: 'function_call', call_id: 'call_h', name: 'w', arguments: '{}' },
          { type: 'function_call_output', call_id: 'call_h', output: 'sunny' },
        ],
      });
      const history = await conversationHistory(db(), { tenantId: await tenantOf(conv.id), threadId: conv.id });
      assert.deepEqual(history.map((i) => (i.type === 'message' ? `${i.role}` : i.type)), ['developer', 'user', 'function_call', 'function_call_output']);
      const listed = await client.conversations.items.list(conv.id, { order: 'asc' });
      assert.deepEqual(history, listed.data);
    });

    it('should resolve an item_reference to a copy of the tenant item it names', async () => {
      const source = await client.conversations.create({
        items: [user('quoted'), { type: 'function_call', call_id: 'call_r', name: 'f', arguments: '{"x":1}' }],
      });
      const [quoted, call] = (await client.conversations.items.list(source.id, { order: 'asc' })).data;
      const conv = await client.conversations.create({});
      const { data } = await client.conversations.items.create(conv.id, {
        items: [
          { type: 'item_reference', id: quoted!.id! },
          { type: 'item_reference', id: call!.id! },
        ],
      });
      assert.equal(textOfItem(data[0]), 'quoted');
      assert.deepEqual({ ...data[1], id: undefined }, { ...call, id: undefined });
      assert.notEqual(data[1]!.id, call!.id);
      await rejectsWith(client.conversations.items.create(conv.id, { items: [{ type: 'item_reference', id: 'msg_nope' }] }), {
        status: 404,
        param: 'items[0].id',
      });
    });

    it('should leave tool results out unless include asks for them', async () => {
      const conv = await client.conversations.create({});
      const result = { file_id: 'file-1', filename: 'a.txt', score: 0.5, text: 'chunk', attributes: {} };
      const { data } = await client.conversations.items.create(conv.id, {
        items: [{ type: 'file_search_call', id: 'fs_x', queries: ['q'], status: 'completed', results: [result] }],
      });
      const id = data[0]!.id!;
      assert.match(id, /^fs_/);
      const plain = await client.conversations.items.retrieve(id, { conversation_id: conv.id });
      assert.equal(plain.type === 'file_search_call' && plain.results, null);
      const full = await client.conversations.items.retrieve(id, { conversation_id: conv.id, include: ['file_search_call.results'] });
      assert.deepEqual(full.type === 'file_search_call' && full.results, [result]);
      const listed = await client.conversations.items.list(conv.id, { include: ['file_search_call.results'] });
      assert.deepEqual(listed.data[0]!.type === 'file_search_call' && listed.data[0]!.results, [result]);
    });

    it('should reject bad bodies with 400 and the param', async () => {
      const conv = await client.conversations.create({});
      const many = Array.from({ length: 21 }, (_, i) => user(`m${i}`));
      await rejectsWith(client.conversations.items.create(conv.id, { items: many }), { param: 'items', code: 'array_above_max_length' });
      await rejectsWith(client.conversations.create({ items: many }), { param: 'items', code: 'array_above_max_length' });
      const body = (items: unknown) => ({ items }) as unknown as OpenAI.Conversations.ItemCreateParams;
      await rejectsWith(client.conversations.items.create(conv.id, body([{ type: 'video' }])), { param: 'items[0].type', code: 'invalid_value' });
      await rejectsWith(client.conversations.items.create(conv.id, body([{ role: 'tool', content: 'x' }])), { param: 'items[0].role', code: 'invalid_value' });
      await rejectsWith(client.conversations.items.create(conv.id, body([{ type: 'function_call', name: 'f', arguments: '{}' }])), {
        param: 'items[0].call_id',
        code: 'missing_required_parameter',
      });
      const tooMuch = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
      await rejectsWith(client.conversations.create({ metadata: tooMuch }), { param: 'metadata', code: 'object_above_max_properties' });
      await rejectsWith(client.conversations.items.create(conv.id, { items: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-nope', detail: 'auto' }] }] }), {
        status: 404,
        param: 'items[0].content[0].file_id',
      });
      await rejectsWith(client.conversations.retrieve('conv_unknown'), { status: 404 });
      const include = ['file_search_call.results', 'bogus'] as unknown as OpenAI.Responses.ResponseIncludable[];
      await rejectsWith(client.conversations.items.list(conv.id, { include }), { param: 'include[1]', code: 'invalid_value' });
    });

    it('should refuse new items while a run holds the thread', async () => {
      const conv = await client.conversations.create({ items: [user('busy')] });
      const runId = `run_busy_${dialect}`;
      await db()
        .insertInto('runs')
        .values({
          id: runId,
          tenant_id: await tenantOf(conv.id),
          thread_id: conv.id,
          assistant_id: 'asst_test',
          api_key_id: 'key_test',
          seq: Date.now() * 1000,
          created_at: Math.floor(Date.now() / 1000),
          status: 'in_progress',
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
      await rejectsWith(client.conversations.items.create(conv.id, { items: [user('more')] }), {
        message: `Can't add messages to ${conv.id} while a run ${runId} is active.`,
      });
      assert.equal((await client.conversations.items.list(conv.id)).data.length, 1);
    });

    it("should answer 404 on every route for another tenant's conversation and items", async () => {
      const conv = await client.conversations.create({ items: [user('mine')] });
      const [item] = (await client.conversations.items.list(conv.id)).data;
      const itemRef = { conversation_id: conv.id };
      await rejectsWith(other.conversations.retrieve(conv.id), { status: 404 });
      await rejectsWith(other.conversations.update(conv.id, { metadata: { x: 'y' } }), { status: 404 });
      await rejectsWith(other.conversations.delete(conv.id), { status: 404 });
      await rejectsWith(other.conversations.items.list(conv.id), { status: 404 });
      await rejectsWith(other.conversations.items.create(conv.id, { items: [user('theirs')] }), { status: 404 });
      await rejectsWith(other.conversations.items.retrieve(item!.id!, itemRef), { status: 404 });
      await rejectsWith(other.conversations.items.delete(item!.id!, itemRef), { status: 404 });
      const theirs = await other.conversations.create({});
      await rejectsWith(other.conversations.items.create(theirs.id, { items: [{ type: 'item_reference', id: item!.id! }] }), {
        status: 404,
        param: 'items[0].id',
      });
      assert.deepEqual((await client.conversations.items.list(conv.id)).data.map((i) => i.id), [item!.id]);
      assert.deepEqual((await client.conversations.retrieve(conv.id)).metadata, {});
    });
  });
}
