// Responses options the run engine honours as run options (issue 12): max_tool_calls, truncation, include of
// input images, and file citations without markers. Each test asserts on what the scripted upstream received.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { chatChunks } from '../fakes/chunks.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';
import { until } from '../support/until.js';

const CHAT = '/v1/chat/completions';
const USAGE = { prompt_tokens: 11, completion_tokens: 3 };
const FACT = 'The Zorbulon reactor on Kepler station runs on 42 tonnes of liquid argon.';
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

/** Ten notes of about 600 tokens each: ~6000 tokens, twice what `small-chat` (3000) holds. */
const NOTES = Array.from({ length: 10 }, (_, i) => ({ role: 'user' as const, content: `Note ${i}: ${'the quick brown fox jumps '.repeat(120)}` }));
const TOO_LONG = "Your input exceeds the context window of this model. Please adjust your input and try again.";

const says = (content: string | string[]) => ({ type: 'sse' as const, chunks: chatChunks({ content, usage: USAGE }) });
const searches = (...ids: string[]) => ({
  type: 'sse' as const,
  chunks: chatChunks({ toolCalls: ids.map((id) => ({ id, name: 'file_search', arguments: `{"query":"reactor ${id}"}` })), usage: USAGE }),
});

type UpstreamBody = {
  tools?: Array<{ function: { name: string } }>;
  messages: Array<{ role: string; content?: unknown; tool_call_id?: string; tool_calls?: Array<{ id: string }> }>;
};

for (const dialect of testDialects()) {
  describe(`responses options (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    let storeId: string;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, yaml: 'context_windows:\n  small-chat: 3000\n' });
      client = app.client(TEST_KEYS[0]);
      const store = await client.vectorStores.create({ name: 'kepler' });
      await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(`${FACT}\n`), 'kepler.txt'));
      storeId = store.id;
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());
    const upstream = (): UpstreamBody[] => fake.calls.filter((c) => c.path === CHAT).map((c) => c.body as UpstreamBody);
    const toolNames = (body: UpstreamBody) => (body.tools ?? []).map((t) => t.function.name);
    const toolCallIds = (body: UpstreamBody) => body.messages.flatMap((m) => (m.tool_calls ?? []).map((c) => c.id));
    const toolResults = (body: UpstreamBody) => body.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id);

    describe('max_tool_calls', () => {
      const request = (max: number) => ({
        model: 'gpt-4o-mini',
        input: 'What does the reactor run on?',
        tools: [{ type: 'file_search' as const, vector_store_ids: [storeId] }, weather],
        max_tool_calls: max,
      });

      /** In the spec's Response (and OpenAI's answers), not in the SDK's type. */
      const maxToolCalls = (r: object) => (r as { max_tool_calls?: number | null }).max_tool_calls;

      it('should execute built-in calls up to the limit over all turns, ignore the rest and stop offering the built-in tools', async () => {
        fake.enqueue(CHAT, searches('call_a'), searches('call_b', 'call_c'), says('Liquid argon.'));
        const response = await client.responses.create(request(2));
        assert.equal(response.status, 'completed');
        assert.equal(maxToolCalls(response), 2);
        const [first, second, third] = upstream();
        assert.deepEqual([toolNames(first!), toolNames(second!)], [['file_search', 'get_weather'], ['file_search', 'get_weather']]);
        assert.deepEqual(toolNames(third!), ['get_weather'], 'the client function stays, file_search is no longer offered');
        assert.deepEqual(toolCallIds(third!), ['call_a', 'call_b'], 'the ignored call is not in the history');
        assert.deepEqual(toolResults(third!), ['call_a', 'call_b']);
        assert.deepEqual(
          response.output.map((i) => i.type),
          ['file_search_call', 'file_search_call', 'message'],
        );
        assert.deepEqual(response.output.slice(0, 2).map((i) => (i.type === 'file_search_call' ? i.queries : [])), [['reactor call_a'], ['reactor call_b']]);
        const stored = await client.responses.retrieve(response.id);
        assert.deepEqual(stored.output, response.output);
      });

      it('should show no ignored call in the stream, and offer no tool once a lone built-in tool is spent', async () => {
        fake.enqueue(CHAT, searches('call_a', 'call_b'), says('Liquid argon.'));
        const events: ResponseStreamEvent[] = [];
        const body = { ...request(1), tools: [{ type: 'file_search' as const, vector_store_ids: [storeId] }], stream: true as const };
        const stream = await client.responses.create(body);
        for await (const e of stream) events.push(e);
        const added = events.flatMap((e) => (e.type === 'response.output_item.added' ? [e.item.type] : []));
        assert.deepEqual(added, ['file_search_call', 'message']);
        assert.equal(events.filter((e) => e.type === 'response.file_search_call.completed').length, 1);
        const done = events.at(-1);
        assert.equal(done?.type, 'response.completed');
        const [, second] = upstream();
        assert.equal(second!.tools, undefined, 'no tool offered');
        assert.deepEqual(toolCallIds(second!), ['call_a']);
      });

      it('should leave built-in calls unlimited without max_tool_calls', async () => {
        fake.enqueue(CHAT, searches('call_a', 'call_b'), says('Liquid argon.'));
        const { max_tool_calls: _max, ...body } = request(1);
        const response = await client.responses.create(body);
        assert.equal(maxToolCalls(response), null);
        assert.deepEqual(toolResults(upstream()[1]!), ['call_a', 'call_b']);
        assert.deepEqual(toolNames(upstream()[1]!), ['file_search', 'get_weather']);
      });
    });

    describe('truncation', () => {
      const notesOf = (body: UpstreamBody) => body.messages.map((m) => String(m.content).slice(0, 'Note 0'.length));

      it("should answer 400 context_length_exceeded by default (disabled) for input larger than the model's context, calling no model and keeping nothing", async () => {
        const conversation = await client.conversations.create({ items: [{ type: 'message', role: 'user', content: 'Hello.' }] });
        await rejectsWith(client.responses.create({ model: 'small-chat', input: NOTES, conversation: conversation.id }), {
          status: 400,
          code: 'context_length_exceeded',
          param: 'input',
          message: TOO_LONG,
        });
        assert.equal(upstream().length, 0, 'no model call');
        const items = await client.conversations.items.list(conversation.id);
        assert.deepEqual(items.data.map((i) => i.type === 'message' && i.content[0]?.type === 'input_text' && i.content[0].text), ['Hello.'], 'the input was not added');
      });

      it('should count the history: a previous response plus new input that overflow fail, and the chain goes on from where it was', async () => {
        fake.enqueue(CHAT, says('Noted.'));
        const first = await client.responses.create({ model: 'small-chat', input: NOTES.slice(0, 4), truncation: 'disabled' });
        assert.equal(first.truncation, 'disabled');
        await rejectsWith(client.responses.create({ model: 'small-chat', input: NOTES.slice(4), previous_response_id: first.id }), {
          code: 'context_length_exceeded',
        });
        fake.enqueue(CHAT, says('Four notes.'));
        await client.responses.create({ model: 'small-chat', input: 'How many notes?', previous_response_id: first.id });
        assert.deepEqual(notesOf(upstream().at(-1)!), ['Note 0', 'Note 1', 'Note 2', 'Note 3', 'Noted.', 'How ma'], 'the rejected input is not in the chain');
      });

      it('should drop the oldest items to fit with auto, keeping the newest', async () => {
        fake.enqueue(CHAT, says('ok'));
        const response = await client.responses.create({ model: 'small-chat', input: NOTES, truncation: 'auto' });
        assert.equal(response.status, 'completed');
        assert.equal(response.truncation, 'auto');
        const notes = notesOf(upstream()[0]!);
        assert.ok(notes.length >= 2 && notes.length < 10, notes.join(', '));
        assert.deepEqual(notes, NOTES.slice(10 - notes.length).map((m) => m.content.slice(0, 6)), 'oldest first out');
      });

      it('should end a stream with response.failed carrying context_length_exceeded', async () => {
        const events: ResponseStreamEvent[] = [];
        for await (const e of await client.responses.create({ model: 'small-chat', input: NOTES, stream: true })) events.push(e);
        assert.deepEqual(events.map((e) => e.type), ['response.created', 'response.in_progress', 'response.failed']);
        const failed = events.at(-1);
        assert.ok(failed?.type === 'response.failed');
        assert.deepEqual(failed.response.error, { code: 'context_length_exceeded', message: TOO_LONG });
        assert.equal(upstream().length, 0);
      });

      it('should fail a background response with context_length_exceeded, its run not shown to the Assistants API', async () => {
        const conversation = await client.conversations.create({});
        const started = await client.responses.create({ model: 'small-chat', input: NOTES, background: true, conversation: conversation.id });
        const done = await until(() => client.responses.retrieve(started.id), (r) => r.status !== 'queued' && r.status !== 'in_progress');
        assert.equal(done.status, 'failed');
        assert.deepEqual(done.error, { code: 'context_length_exceeded', message: TOO_LONG });
        assert.equal(upstream().length, 0);
        // A response's run is not an Assistants run (test/e2e/conversation-runs.e2e.test.ts).
        assert.deepEqual((await client.beta.threads.runs.list(conversation.id)).data, []);
      });

      it('should send input that fits whole', async () => {
        fake.enqueue(CHAT, says('ok'));
        await client.responses.create({ model: 'small-chat', input: NOTES.slice(0, 3) });
        assert.deepEqual(notesOf(upstream()[0]!), ['Note 0', 'Note 1', 'Note 2']);
      });
    });

    describe("include: ['message.input_image.image_url']", () => {
      const IMAGE = 'https://images.example.com/cat.png';
      const INCLUDE = ['message.input_image.image_url' as const];
      const withImage = [{ role: 'user' as const, content: [{ type: 'input_text' as const, text: 'What is this?' }, { type: 'input_image' as const, image_url: IMAGE, detail: 'low' as const }] }];
      /** The input_image parts of listed items, as listed. */
      const images = (items: Array<{ type: string; content?: unknown }>) =>
        items.flatMap((i) => (i.type === 'message' ? (i.content as Array<{ type: string }>).filter((p) => p.type === 'input_image') : []));
      /** The image URLs the upstream's last call carried. */
      const sentImages = () =>
        upstream()
          .at(-1)!
          .messages.flatMap((m) => (Array.isArray(m.content) ? (m.content as Array<{ type: string; image_url?: { url: string } }>) : []))
          .flatMap((p) => (p.type === 'image_url' ? [p.image_url?.url] : []));

      it("should list a response's input image without its URL unless included, the model having seen it", async () => {
        fake.enqueue(CHAT, says('A cat.'));
        const response = await client.responses.create({ model: 'gpt-4o-mini', input: withImage });
        assert.deepEqual(sentImages(), [IMAGE]);
        const plain = await client.responses.inputItems.list(response.id);
        assert.deepEqual(images(plain.data), [{ type: 'input_image', image_url: null, file_id: null, detail: 'low' }]);
        const included = await client.responses.inputItems.list(response.id, { include: INCLUDE });
        assert.deepEqual(images(included.data), [{ type: 'input_image', image_url: IMAGE, file_id: null, detail: 'low' }]);
      });

      it('should list the input image with its URL when the create asked to include it', async () => {
        fake.enqueue(CHAT, says('A cat.'));
        const response = await client.responses.create({ model: 'gpt-4o-mini', input: withImage, include: INCLUDE });
        const items = await client.responses.inputItems.list(response.id);
        assert.deepEqual(images(items.data).map((p) => (p as { image_url?: string | null }).image_url), [IMAGE]);
      });

      it('should show conversation items’ image URLs only when included (create, list, retrieve), and keep them for the model', async () => {
        const conversation = await client.conversations.create({});
        const created = await client.conversations.items.create(conversation.id, { items: withImage });
        assert.deepEqual(images(created.data).map((p) => (p as { image_url?: string | null }).image_url), [null]);
        const createdIncluded = await client.conversations.items.create(conversation.id, { items: withImage, include: INCLUDE });
        assert.deepEqual(images(createdIncluded.data).map((p) => (p as { image_url?: string | null }).image_url), [IMAGE]);
        const id = created.data[0]!.id!;
        const urls = (items: Array<{ type: string; content?: unknown }>) => images(items).map((p) => (p as { image_url?: string | null }).image_url);
        assert.deepEqual(urls((await client.conversations.items.list(conversation.id)).data), [null, null]);
        assert.deepEqual(urls((await client.conversations.items.list(conversation.id, { include: INCLUDE })).data), [IMAGE, IMAGE]);
        assert.deepEqual(urls([await client.conversations.items.retrieve(id, { conversation_id: conversation.id })]), [null]);
        assert.deepEqual(urls([await client.conversations.items.retrieve(id, { conversation_id: conversation.id, include: INCLUDE })]), [IMAGE]);
        fake.enqueue(CHAT, says('Two cats.'));
        await client.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'item_reference', id }], conversation: conversation.id });
        assert.deepEqual(sentImages(), [IMAGE, IMAGE, IMAGE], 'the model sees every image, the referenced copy included');
      });
    });

    describe('file citations without markers', () => {
      const ANSWER = ['It runs on liquid argon', ' 【0:', '0†kepler.txt】', '.'];
      const TEXT = 'It runs on liquid argon .';
      const request = (extra: object = {}) => ({
        model: 'gpt-4o-mini',
        input: 'What does the reactor run on?',
        tools: [{ type: 'file_search' as const, vector_store_ids: [storeId] }],
        ...extra,
      });
      const outputText = (r: { output: Array<{ type: string; content?: unknown }> }) =>
        r.output.flatMap((i) => (i.type === 'message' ? (i.content as Array<{ type: string; text?: string; annotations?: unknown[] }>) : []));
      let fileId: string;
      before(async () => {
        fileId = (await client.vectorStores.files.list(storeId)).data[0]!.id;
      });

      it('should answer text without the marker, the file_citation at its place (create, retrieve)', async () => {
        fake.enqueue(CHAT, searches('call_a'), says(ANSWER));
        const response = await client.responses.create(request());
        const citation = { type: 'file_citation', file_id: fileId, filename: 'kepler.txt', index: 24 };
        assert.deepEqual(outputText(response), [{ type: 'output_text', text: TEXT, annotations: [citation], logprobs: [] }]);
        assert.equal(response.output_text, TEXT);
        assert.deepEqual((await client.responses.retrieve(response.id)).output, response.output);
        const toolMessage = upstream()[1]!.messages.find((m) => m.role === 'tool');
        assert.ok(String(toolMessage?.content).includes('【0:0†kepler.txt】'), 'the model is still given markers to cite by');
      });

      it('should stream deltas that never show a marker, even one the model split, and the annotation at its place', async () => {
        fake.enqueue(CHAT, searches('call_a'), says(ANSWER));
        const events: ResponseStreamEvent[] = [];
        for await (const e of await client.responses.create({ ...request(), stream: true })) events.push(e);
        const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
        for (const d of deltas) assert.ok(!/[【†】]/.test(d), `a delta shows part of a marker: ${JSON.stringify(d)}`);
        assert.equal(deltas.join(''), TEXT);
        const added = events.flatMap((e) => (e.type === 'response.output_text.annotation.added' ? [e.annotation] : []));
        assert.deepEqual(added, [{ type: 'file_citation', file_id: fileId, filename: 'kepler.txt', index: 24 }]);
        const done = events.find((e) => e.type === 'response.output_text.done');
        assert.equal(done?.type === 'response.output_text.done' && done.text, TEXT);
        const completed = events.at(-1);
        assert.ok(completed?.type === 'response.completed');
        assert.deepEqual((await client.responses.retrieve(completed.response.id)).output, completed.response.output);
      });

      it("should list a conversation's answer without the marker, the thread's message keeping it for the Assistants API", async () => {
        const conversation = await client.conversations.create({});
        fake.enqueue(CHAT, searches('call_a'), says(ANSWER));
        const response = await client.responses.create(request({ conversation: conversation.id }));
        const message = response.output.find((i) => i.type === 'message')!;
        const listed = (await client.conversations.items.list(conversation.id)).data.find((i) => i.id === message.id);
        assert.deepEqual(listed, message);
        const [assistants] = (await client.beta.threads.messages.list(conversation.id, { limit: 1 })).data;
        const part = assistants!.content[0]!;
        assert.ok(part.type === 'text');
        assert.equal(part.text.value, 'It runs on liquid argon 【0:0†kepler.txt】.');
        assert.deepEqual(part.text.annotations.map((a) => [a.type, a.text, a.start_index]), [['file_citation', '【0:0†kepler.txt】', 24]]);
      });
    });
  });
}
