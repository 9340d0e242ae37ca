import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const FACT = 'The Zorbulon reactor on Kepler station runs on 42 tonnes of liquid argon.';
const FILLER = 'Kepler station has a cafeteria, a gym and three docking bays for cargo ships.';
const CHAT = '/v1/chat/completions';

for (const dialect of testDialects()) {
  describe(`file_search in runs (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should answer from the uploaded file, with the search step and a file citation', async () => {
      const store = await client.vectorStores.create({ name: 'kepler' });
      const file = await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(`${FILLER}\n\n${FACT}\n`), 'kepler.txt'));
      assert.equal(file.status, 'completed');
      const assistant = await client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      });
      fake.enqueue(
        CHAT,
        { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: '{"query":"What does the Zorbulon reactor run on?"}' }], usage: {} }) },
        { type: 'sse', chunks: chatChunks({ content: ['It runs on 42 tonnes of liquid argon ', '【0:0†kepler.txt】.'], usage: {} }) },
      );
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What does the Zorbulon reactor run on?' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));

      // The model was offered file_search as a function and got the fact back as the tool result.
      const first = fake.calls[0]!.body;
      assert.equal(first.tools[0].function.name, 'file_search');
      const toolMessage = fake.calls[1]!.body.messages.find((m: { role: string }) => m.role === 'tool');
      assert.ok(toolMessage.content.includes('42 tonnes of liquid argon'), toolMessage.content);

      const [answer] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      const part = answer!.content[0]!;
      const text = part.type === 'text' ? part.text : undefined;
      assert.equal(text?.value, 'It runs on 42 tonnes of liquid argon 【0:0†kepler.txt】.');
      const citation = text?.annotations[0];
      assert.equal(citation?.type, 'file_citation');
      assert.equal(citation?.type === 'file_citation' && citation.file_citation.file_id, file.id);
      assert.equal(citation?.start_index, 'It runs on 42 tonnes of liquid argon '.length);

      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
      const call = steps.data[0]!.step_details.type === 'tool_calls' ? steps.data[0]!.step_details.tool_calls[0] : undefined;
      assert.equal(call?.type, 'file_search');
      if (call?.type !== 'file_search') return;
      assert.equal(call.file_search.ranking_options?.ranker, 'default_2024_08_21');
      assert.equal(call.file_search.results?.[0]?.file_id, file.id);
      assert.equal(call.file_search.results?.[0]?.content, undefined, 'content only with include[]');

      const withContent = await client.beta.threads.runs.steps.retrieve(steps.data[0]!.id, {
        thread_id: thread.id,
        run_id: run.id,
        include: ['step_details.tool_calls[*].file_search.results[*].content'],
      });
      const full = withContent.step_details.type === 'tool_calls' ? withContent.step_details.tool_calls[0] : undefined;
      assert.ok(full?.type === 'file_search' && full.file_search.results?.[0]?.content?.[0]?.text?.includes('liquid argon'));
    });

    /** An assistant whose vector store holds FACT, and the model's two turns: a file_search call, then an answer. */
    async function factAssistant(name: string, callId: string, query: string) {
      const store = await client.vectorStores.create({ name });
      await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(FACT), 'fact.txt'));
      fake.enqueue(
        CHAT,
        { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: callId, name: 'file_search', arguments: JSON.stringify({ query }) }], usage: {} }) },
        { type: 'sse', chunks: chatChunks({ content: 'Argon.', usage: {} }) },
      );
      return client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      });
    }

    it('should stream the call as a file_search tool call, as OpenAI does', async () => {
      fake.reset();
      const assistant = await factAssistant('stream', 'call_s', 'reactor');
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Reactor?' }] });
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      const created: string[] = [];
      const deltaTypes = new Set<string>();
      stream.on('toolCallCreated', (c) => created.push(`${c.type}:${c.id}`));
      stream.on('toolCallDelta', (d) => deltaTypes.add(d.type));
      const run = await stream.finalRun();
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      assert.deepEqual(created, ['file_search:call_s']);
      assert.ok(!deltaTypes.has('function'), `no function deltas: ${[...deltaTypes].join(',')}`);
    });

    it('should run a forced file_search once, then let the model answer', async () => {
      fake.reset();
      const assistant = await factAssistant('forced', 'call_forced', 'reactor fuel');
      const run = await client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        tool_choice: { type: 'file_search' },
        thread: { messages: [{ role: 'user', content: 'Fuel?' }] },
      });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      assert.deepEqual(fake.calls.map((c) => c.body.tool_choice), [{ type: 'function', function: { name: 'file_search' } }, 'auto']);
    });

    it("should put a message attachment into the thread's own vector store and search it", async () => {
      fake.reset();
      const file = await client.files.create({ file: await toFile(Buffer.from(`${FILLER}\n\n${FACT}\n`), 'attached.txt'), purpose: 'assistants' });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'file_search' }] });
      fake.enqueue(
        CHAT,
        { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_t', name: 'file_search', arguments: '{"query":"Zorbulon reactor fuel"}' }], usage: {} }) },
        { type: 'sse', chunks: chatChunks({ content: 'Liquid argon.', usage: {} }) },
      );
      const run = await client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: {
          messages: [{ role: 'user', content: 'What fuels the reactor?', attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }] }],
        },
      });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      const thread = await client.beta.threads.retrieve(run.thread_id);
      const [storeId] = thread.tool_resources?.file_search?.vector_store_ids ?? [];
      assert.ok(storeId, 'the thread got a vector store');
      const store = await client.vectorStores.retrieve(storeId);
      assert.deepEqual(store.expires_after, { anchor: 'last_active_at', days: 7 });
      const toolMessage = fake.calls[1]!.body.messages.find((m: { role: string }) => m.role === 'tool');
      assert.ok(toolMessage.content.includes('42 tonnes of liquid argon'), toolMessage.content);
    });
  });
}
