import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { Annotation, AnnotationDelta, Message } from 'openai/resources/beta/threads/messages';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const CHAT = '/v1/chat/completions';
const FACT = 'The Zorbulon reactor on Kepler station runs on 42 tonnes of liquid argon.';

const searchCall = () => ({
  type: 'sse' as const,
  chunks: chatChunks({ toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: '{"query":"reactor fuel"}' }], usage: {} }),
});
const codeCall = (code: string) => ({
  type: 'sse' as const,
  chunks: chatChunks({ toolCalls: [{ id: 'call_ci', name: 'code_interpreter', arguments: JSON.stringify({ code }) }], usage: {} }),
});
/** The model's answer, streamed in exactly these pieces. */
const answerIn = (pieces: string[]) => ({ type: 'sse' as const, chunks: chatChunks({ content: pieces, usage: {} }) });

/** What an app sees of a streamed run: each text delta with its annotations, and the SDK's final messages. */
async function streamRun(client: OpenAI, threadId: string, assistantId: string) {
  const deltas: Array<{ value: string; annotations: AnnotationDelta[] }> = [];
  const stream = client.beta.threads.runs.stream(threadId, { assistant_id: assistantId });
  // A copy: the SDK grows its snapshot in place, and the first delta of a message becomes that snapshot.
  stream.on('textDelta', (d) => deltas.push(structuredClone({ value: d.value ?? '', annotations: d.annotations ?? [] })));
  const run = await stream.finalRun();
  return { run, deltas, finalMessages: await stream.finalMessages() };
}

const withoutIndex = (a: AnnotationDelta): Omit<AnnotationDelta, 'index'> => {
  const { index: _index, ...rest } = a;
  return rest;
};

/**
 * The delta stream is right when each annotation arrives in the delta that completes its text
 * (the text so far already holds it where it says), its `index` is its place in the message, and the
 * annotations accumulated by the SDK equal the stored message's.
 */
function assertDeltaAnnotations(
  deltas: Array<{ value: string; annotations: AnnotationDelta[] }>,
  finalMessages: Message[],
  stored: Message,
): Annotation[] {
  const part = stored.content.find((c) => c.type === 'text');
  assert.ok(part?.type === 'text');
  let text = '';
  let count = 0;
  for (const d of deltas) {
    text += d.value;
    for (const a of d.annotations) {
      assert.equal(a.index, count++, 'annotations are numbered in the order they arrive');
      assert.ok(a.text && a.start_index !== undefined && a.end_index !== undefined, JSON.stringify(a));
      assert.equal(text.slice(a.start_index, a.end_index), a.text, `annotation text complete when it arrives: ${JSON.stringify({ text, a })}`);
    }
  }
  assert.equal(text, part.text.value);
  assert.ok(part.text.annotations.length > 0, 'the stored message has annotations');
  assert.deepEqual(deltas.flatMap((d) => d.annotations).map(withoutIndex), part.text.annotations);
  const sdk = finalMessages.find((m) => m.id === stored.id)?.content.find((c) => c.type === 'text');
  assert.ok(sdk?.type === 'text');
  assert.deepEqual(sdk.text.annotations.map((a) => withoutIndex(a as AnnotationDelta)), part.text.annotations);
  return part.text.annotations;
}

for (const dialect of testDialects()) {
  describe(`annotations in streamed runs (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    let fileId: string;
    let searchAssistant: string;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client();
      const store = await client.vectorStores.create({ name: 'kepler' });
      fileId = (await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(`${FACT}\n`), 'kepler.txt'))).id;
      searchAssistant = (
        await client.beta.assistants.create({
          model: 'gpt-4o',
          tools: [{ type: 'file_search' }],
          tool_resources: { file_search: { vector_store_ids: [store.id] } },
        })
      ).id;
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should send each file_citation in the delta that completes its marker, split across model chunks', async () => {
      fake.reset();
      fake.enqueue(CHAT, searchCall(), answerIn(['It runs on argon 【0', ':0†kepl', 'er.txt】', ' and more 【', '0:0†kepler.txt】.']));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What fuel?' }] });
      const { run, deltas, finalMessages } = await streamRun(client, thread.id, searchAssistant);
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      const [stored] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      const annotations = assertDeltaAnnotations(deltas, finalMessages, stored!);
      assert.equal(annotations.length, 2);
      for (const a of annotations) assert.ok(a.type === 'file_citation' && a.file_citation.file_id === fileId);
      assert.ok(
        deltas.every((d) => !/【[^】]*$/.test(d.value) || d.value.endsWith('】')),
        `no delta ends inside a marker: ${JSON.stringify(deltas.map((d) => d.value))}`,
      );
    });

    it('should send a sandbox link with its file_path annotation once the link is complete', async () => {
      fake.reset();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      const code = "open('/mnt/data/table.csv', 'w').write('x,y\\n1,3\\n')";
      fake.enqueue(CHAT, codeCall(code), answerIn(['Here is [the table](sand', 'box:/mnt/da', 'ta/table', '.csv) and ', 'sandbox:/mnt/data/table.csv']));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Write it.' }] });
      const { run, deltas, finalMessages } = await streamRun(client, thread.id, assistant.id);
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      const [stored] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      const annotations = assertDeltaAnnotations(deltas, finalMessages, stored!);
      assert.equal(annotations.length, 2);
      for (const a of annotations) assert.ok(a.type === 'file_path' && a.text === 'sandbox:/mnt/data/table.csv', JSON.stringify(a));
      // The quickstart's rewrite: replace each delta annotation's text in the text so far with a download link.
      let shown = '';
      for (const d of deltas) {
        shown += d.value;
        for (const a of d.annotations) if (a.type === 'file_path') shown = shown.replaceAll(a.text!, `/api/files/${a.file_path!.file_id}`);
      }
      assert.ok(!shown.includes('sandbox:'), shown);
    });

    it('should give the one-call chat the same url_citation annotations streamed and not', async () => {
      fake.reset();
      const pieces = ['It runs on argon 【0', ':0†kepler.txt】', '.'];
      fake.enqueue(CHAT, searchCall(), answerIn(pieces), searchCall(), answerIn(pieces));
      const messages = [{ role: 'user' as const, content: 'What fuel?' }];
      const completion = await client.chat.completions.create({ model: searchAssistant, messages });
      const stream = client.chat.completions.stream({ model: searchAssistant, messages });
      const streamed = await stream.finalChatCompletion();
      const content = 'It runs on argon 【0:0†kepler.txt】.';
      assert.equal(completion.choices[0]?.message.content, content);
      assert.equal(streamed.choices[0]?.message.content, content);
      const expected = [
        {
          type: 'url_citation',
          url_citation: { start_index: 17, end_index: 33, title: 'kepler.txt', url: `${app.baseURL}/files/${fileId}/content` },
        },
      ];
      assert.deepEqual(completion.choices[0]?.message.annotations, expected);
      assert.deepEqual(streamed.choices[0]?.message.annotations, expected);
    });

    it('should stream text as before when no tool result can be cited', async () => {
      fake.reset();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      fake.enqueue(CHAT, answerIn(['See ', 'sandbox:/mnt/data/none.csv', ' 【0:0†x】']));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
      const { run, deltas } = await streamRun(client, thread.id, assistant.id);
      assert.equal(run.status, 'completed');
      assert.deepEqual(
        deltas.map((d) => d.value),
        ['See ', 'sandbox:/mnt/data/none.csv', ' 【0:0†x】'],
      );
      assert.ok(deltas.every((d) => d.annotations.length === 0));
    });
  });
}
