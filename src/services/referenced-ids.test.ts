import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely, KyselyPlugin } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { ApiError } from '../errors.js';
import type { Database } from '../store/database.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { insertFile } from '../store/repos/files.repo.js';
import { insertVectorStore } from '../store/repos/vector-stores.repo.js';
import { checkReferencedIds, fileIds, messagesIds, toolResourcesIds } from './referenced-ids.js';

describe('referenced ids', () => {
  it('should name each id of tool_resources by its field', () => {
    const ids = toolResourcesIds(
      {
        code_interpreter: { file_ids: ['file-a', 'file-b'] },
        file_search: { vector_store_ids: ['vs_a'], vector_stores: [{ file_ids: ['file-c'] }] },
      },
      'thread.tool_resources',
    );
    assert.deepEqual(ids, {
      files: [
        { id: 'file-a', param: 'thread.tool_resources.code_interpreter.file_ids[0]' },
        { id: 'file-b', param: 'thread.tool_resources.code_interpreter.file_ids[1]' },
        { id: 'file-c', param: 'thread.tool_resources.file_search.vector_stores[0].file_ids[0]' },
      ],
      vectorStores: [{ id: 'vs_a', param: 'thread.tool_resources.file_search.vector_store_ids[0]' }],
    });
    assert.deepEqual(toolResourcesIds(null), { files: [], vectorStores: [] });
  });

  it("should name each file of messages' attachments and image_file parts, not image_url", () => {
    const ids = messagesIds(
      [
        { content: 'plain' },
        {
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'image_file', image_file: { file_id: 'file-img' } },
          ],
          attachments: [{ file_id: 'file-doc', tools: [{ type: 'file_search' }] }],
        },
      ],
      'additional_messages',
    );
    assert.deepEqual(ids.files, [
      { id: 'file-doc', param: 'additional_messages[1].attachments[0].file_id' },
      { id: 'file-img', param: 'additional_messages[1].content[2].image_file.file_id' },
    ]);
  });
});

/** Counts the statements run through the returned db. */
function counting(db: Kysely<Database>): { db: Kysely<Database>; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), count: () => n };
}

async function rejects404(p: Promise<unknown>, message: string, param: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.deepEqual([err.status, err.message, err.param], [404, message, param]);
    return true;
  });
}

for (const dialect of testDialects()) {
  describe(`checkReferencedIds (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const own = Array.from({ length: 30 }, (_, i) => `file-own${i}`);

    beforeEach(async () => {
      const test = await createTestDatabaseUrl(dialect);
      drop = test.drop;
      store = openDb(test.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      const file = (tenant_id: string, id: string, seq: number) => ({
        id,
        tenant_id,
        seq,
        created_at: 1,
        bytes: 1,
        filename: 'f.txt',
        purpose: 'assistants',
        status: 'processed',
        status_details: null,
        expires_at: null,
        storage_key: id,
      });
      for (const [i, id] of own.entries()) await insertFile(store.db, file('t1', id, i));
      await insertFile(store.db, file('t2', 'file-theirs', 100));
      const vs = (tenant_id: string, id: string, seq: number) => ({
        id,
        tenant_id,
        seq,
        created_at: 1,
        name: null,
        description: null,
        metadata: '{}',
        expires_after: null,
        expires_at: null,
        last_active_at: 1,
      });
      await insertVectorStore(store.db, vs('t1', 'vs_own', 1));
      await insertVectorStore(store.db, vs('t2', 'vs_theirs', 2));
    });
    afterEach(async () => {
      await store.close();
      await drop();
    });

    it('should look up each kind of id in one query, however many ids there are', async () => {
      const { db, count } = counting(store.db);
      await checkReferencedIds(db, 't1', fileIds(own, 'file_ids'), toolResourcesIds({ file_search: { vector_store_ids: ['vs_own'] } }));
      assert.equal(count(), 2);
    });

    it('should run no query when nothing is referenced', async () => {
      const { db, count } = counting(store.db);
      await checkReferencedIds(db, 't1', toolResourcesIds({}), messagesIds([], 'messages'));
      assert.equal(count(), 0);
    });

    it("should answer 404 for another tenant's ids, naming the first one in request order", async () => {
      await rejects404(
        checkReferencedIds(store.db, 't1', fileIds(['file-own0', 'file-theirs', 'file-nope'], 'file_ids')),
        "No file found with id 'file-theirs'.",
        'file_ids[1]',
      );
      await rejects404(
        checkReferencedIds(store.db, 't1', toolResourcesIds({ file_search: { vector_store_ids: ['vs_theirs'] } })),
        "No vector store found with id 'vs_theirs'.",
        'tool_resources.file_search.vector_store_ids[0]',
      );
      await checkReferencedIds(store.db, 't2', fileIds(['file-theirs'], 'file_ids'), toolResourcesIds({ file_search: { vector_store_ids: ['vs_theirs'] } }));
    });

    it('should split a lookup of thousands of ids into bounded queries', async () => {
      const many = [...own, ...Array.from({ length: 2500 }, (_, i) => `file-x${i}`)];
      const { db, count } = counting(store.db);
      await rejects404(checkReferencedIds(db, 't1', fileIds(many, 'file_ids')), "No file found with id 'file-x0'.", 'file_ids[30]');
      assert.equal(count(), 3);
    });
  });
}
