import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';

/** Every table a write that refers to files or vector stores could add a row to. */
const TABLES = ['assistants', 'threads', 'messages', 'runs', 'vector_stores', 'vector_store_files', 'vector_store_file_batches'] as const;

interface Foreign {
  kind: 'file' | 'vector store';
  id: string;
  param: string;
}

/**
 * Tenant B refers to tenant A's files and vector stores on every write path that stores such an id: each is a 404
 * naming the id and the field, as for an id that does not exist, and nothing is stored.
 */
for (const dialect of testDialects()) {
  describe(`ids of another tenant (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let a: OpenAI;
    let b: OpenAI;
    /** A's file, image file and vector store. */
    let aFile: string;
    let aImage: string;
    let aStore: string;
    /** B's own file, vector store, assistant and thread. */
    let bFile: string;
    let bStore: string;
    let bAssistant: string;
    let bThread: string;

    const upload = async (c: OpenAI, name: string) =>
      (await c.files.create({ file: await toFile(Buffer.from(`bytes of ${name}`), name), purpose: 'assistants' })).id;

    async function rowCounts(): Promise<Record<string, number>> {
      const db = app.server.deps.store.db;
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
        counts[table] = Number(row.n);
      }
      return counts;
    }

    /** The call is a 404 for the foreign id, with OpenAI's message and the field as param, and stores nothing. */
    async function rejectsForeign(call: () => Promise<unknown>, want: Foreign): Promise<void> {
      const before = await rowCounts();
      await rejectsWith(call(), { status: 404, param: want.param, code: null, message: `No ${want.kind} found with id '${want.id}'.` });
      assert.deepEqual(await rowCounts(), before, 'nothing is stored');
    }

    const file = (param: string): Foreign => ({ kind: 'file', id: aFile, param });
    const image = (param: string): Foreign => ({ kind: 'file', id: aImage, param });
    const store = (param: string): Foreign => ({ kind: 'vector store', id: aStore, param });

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      a = app.client(TEST_KEYS[0]);
      b = app.client(TEST_KEYS[1]);
      aFile = await upload(a, 'a.txt');
      aImage = await upload(a, 'a.png');
      aStore = (await a.vectorStores.create({ name: 'a' })).id;
      bFile = await upload(b, 'b.txt');
      bStore = (await b.vectorStores.create({ name: 'b' })).id;
      bAssistant = (await b.beta.assistants.create({ model: 'gpt-4o' })).id;
      bThread = (await b.beta.threads.create()).id;
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it("should accept the caller's own files and vector stores everywhere", async () => {
      const toolResources = { code_interpreter: { file_ids: [bFile] }, file_search: { vector_store_ids: [bStore] } };
      const assistant = await b.beta.assistants.create({ model: 'gpt-4o', tool_resources: toolResources });
      assert.deepEqual(assistant.tool_resources, toolResources);
      const thread = await b.beta.threads.create({
        tool_resources: toolResources,
        messages: [{ role: 'user', content: 'hi', attachments: [{ file_id: bFile, tools: [{ type: 'code_interpreter' }] }] }],
      });
      assert.deepEqual(thread.tool_resources, toolResources);
      const message = await b.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: [{ type: 'image_file', image_file: { file_id: bFile } }],
      });
      assert.equal(message.content[0]?.type, 'image_file');
    });

    describe('assistants', () => {
      it('should refuse code_interpreter.file_ids of another tenant on create', () =>
        rejectsForeign(
          () => b.beta.assistants.create({ model: 'gpt-4o', tool_resources: { code_interpreter: { file_ids: [bFile, aFile] } } }),
          file('tool_resources.code_interpreter.file_ids[1]'),
        ));

      it('should refuse file_search.vector_store_ids of another tenant on create', () =>
        rejectsForeign(
          () => b.beta.assistants.create({ model: 'gpt-4o', tool_resources: { file_search: { vector_store_ids: [aStore] } } }),
          store('tool_resources.file_search.vector_store_ids[0]'),
        ));

      it('should refuse the file_ids of a file_search.vector_stores helper of another tenant', () =>
        rejectsForeign(
          () =>
            b.beta.assistants.create({
              model: 'gpt-4o',
              tool_resources: { file_search: { vector_stores: [{ file_ids: [aFile] }] } },
            }),
          file('tool_resources.file_search.vector_stores[0].file_ids[0]'),
        ));

      it('should refuse ids of another tenant on update and keep the tool_resources as they were', async () => {
        const before = await b.beta.assistants.retrieve(bAssistant);
        await rejectsForeign(
          () => b.beta.assistants.update(bAssistant, { tool_resources: { code_interpreter: { file_ids: [aFile] } } }),
          file('tool_resources.code_interpreter.file_ids[0]'),
        );
        await rejectsForeign(
          () => b.beta.assistants.update(bAssistant, { tool_resources: { file_search: { vector_store_ids: [aStore] } } }),
          store('tool_resources.file_search.vector_store_ids[0]'),
        );
        assert.deepEqual(await b.beta.assistants.retrieve(bAssistant), before);
      });
    });

    describe('threads and messages', () => {
      it('should refuse tool_resources of another tenant on thread create', async () => {
        await rejectsForeign(
          () => b.beta.threads.create({ tool_resources: { code_interpreter: { file_ids: [aFile] } } }),
          file('tool_resources.code_interpreter.file_ids[0]'),
        );
        await rejectsForeign(
          () => b.beta.threads.create({ tool_resources: { file_search: { vector_store_ids: [aStore] } } }),
          store('tool_resources.file_search.vector_store_ids[0]'),
        );
      });

      it("should refuse another tenant's files in a new thread's messages", async () => {
        await rejectsForeign(
          () =>
            b.beta.threads.create({
              messages: [
                { role: 'user', content: 'first' },
                { role: 'user', content: 'second', attachments: [{ file_id: aFile, tools: [{ type: 'code_interpreter' }] }] },
              ],
            }),
          file('messages[1].attachments[0].file_id'),
        );
        await rejectsForeign(
          () => b.beta.threads.create({ messages: [{ role: 'user', content: [{ type: 'image_file', image_file: { file_id: aImage } }] }] }),
          image('messages[0].content[0].image_file.file_id'),
        );
      });

      it('should refuse tool_resources of another tenant on thread update and keep them as they were', async () => {
        const before = await b.beta.threads.retrieve(bThread);
        await rejectsForeign(
          () => b.beta.threads.update(bThread, { tool_resources: { code_interpreter: { file_ids: [aFile] } } }),
          file('tool_resources.code_interpreter.file_ids[0]'),
        );
        await rejectsForeign(
          () => b.beta.threads.update(bThread, { tool_resources: { file_search: { vector_store_ids: [aStore] } } }),
          store('tool_resources.file_search.vector_store_ids[0]'),
        );
        assert.deepEqual(await b.beta.threads.retrieve(bThread), before);
      });

      it("should refuse a message with another tenant's attachment, for either tool", async () => {
        for (const type of ['code_interpreter', 'file_search'] as const)
          await rejectsForeign(
            () => b.beta.threads.messages.create(bThread, { role: 'user', content: 'hi', attachments: [{ file_id: aFile, tools: [{ type }] }] }),
            file('attachments[0].file_id'),
          );
      });

      it("should refuse a message with another tenant's image_file", () =>
        rejectsForeign(
          () =>
            b.beta.threads.messages.create(bThread, {
              role: 'user',
              content: [
                { type: 'text', text: 'look' },
                { type: 'image_file', image_file: { file_id: aImage } },
              ],
            }),
          image('content[1].image_file.file_id'),
        ));
    });

    describe('runs', () => {
      it("should refuse additional_messages with another tenant's files", async () => {
        const thread = await b.beta.threads.create();
        await rejectsForeign(
          () =>
            b.beta.threads.runs.create(thread.id, {
              assistant_id: bAssistant,
              additional_messages: [{ role: 'user', content: 'hi', attachments: [{ file_id: aFile, tools: [{ type: 'file_search' }] }] }],
            }),
          file('additional_messages[0].attachments[0].file_id'),
        );
        await rejectsForeign(
          () =>
            b.beta.threads.runs.create(thread.id, {
              assistant_id: bAssistant,
              additional_messages: [{ role: 'user', content: [{ type: 'image_file', image_file: { file_id: aImage } }] }],
            }),
          image('additional_messages[0].content[0].image_file.file_id'),
        );
      });

      it("should refuse createAndRun with another tenant's ids in the thread or the tool_resources", async () => {
        const cases: Array<[OpenAI.Beta.ThreadCreateAndRunParamsNonStreaming, Foreign]> = [
          [
            { assistant_id: bAssistant, thread: { tool_resources: { file_search: { vector_store_ids: [aStore] } } } },
            store('thread.tool_resources.file_search.vector_store_ids[0]'),
          ],
          [
            { assistant_id: bAssistant, thread: { messages: [{ role: 'user', content: 'x', attachments: [{ file_id: aFile, tools: [] }] }] } },
            file('thread.messages[0].attachments[0].file_id'),
          ],
          [
            { assistant_id: bAssistant, tool_resources: { code_interpreter: { file_ids: [aFile] } } },
            file('tool_resources.code_interpreter.file_ids[0]'),
          ],
          [
            { assistant_id: bAssistant, tool_resources: { file_search: { vector_store_ids: [aStore] } } },
            store('tool_resources.file_search.vector_store_ids[0]'),
          ],
        ];
        for (const [params, want] of cases) await rejectsForeign(() => b.beta.threads.createAndRun(params), want);
      });
    });

    describe('ids stored before they were checked', () => {
      it("should not index a file_search attachment into another tenant's store that a thread names", async () => {
        // What a thread created before the check could hold: A's vector store as its own.
        const thread = await b.beta.threads.create();
        await app.server.deps.store.db
          .updateTable('threads')
          .set({ tool_resources: JSON.stringify({ file_search: { vector_store_ids: [aStore] } }) })
          .where('id', '=', thread.id)
          .execute();
        await b.beta.threads.messages.create(thread.id, {
          role: 'user',
          content: 'read this',
          attachments: [{ file_id: bFile, tools: [{ type: 'file_search' }] }],
        });
        assert.equal((await a.vectorStores.retrieve(aStore)).file_counts.total, 0);
        const own = (await b.beta.threads.retrieve(thread.id)).tool_resources?.file_search?.vector_store_ids ?? [];
        assert.equal(own.length, 1);
        assert.notEqual(own[0], aStore);
        assert.equal((await b.vectorStores.files.retrieve(bFile, { vector_store_id: own[0]! })).id, bFile);
      });
    });

    describe('vector stores', () => {
      it("should refuse another tenant's files on create, file create and file batches", async () => {
        await rejectsForeign(() => b.vectorStores.create({ file_ids: [bFile, aFile] }), file('file_ids[1]'));
        await rejectsForeign(() => b.vectorStores.files.create(bStore, { file_id: aFile }), file('file_id'));
        await rejectsForeign(() => b.vectorStores.fileBatches.create(bStore, { file_ids: [aFile] }), file('file_ids[0]'));
      });
    });
  });
}
