import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { tinyModelPath } from '../support/tiny-model.js';

const FACTS = [
  'Zorblax the lighthouse keeper paints every harbour door teal on the first Tuesday of March.',
  'Sourdough bread needs a lively starter, a long cold proof and a very hot oven.',
  'The city council approved a new budget for road repairs and public libraries.',
];
const TEXT = Array.from({ length: 30 }, (_, i) => `${i}. ${FACTS[i % 3]}`).join('\n');

/** A GGUF model as file_search's embedding model (`embeddings: { retrieval_model }` naming a local model). */
describe('file_search embedded by a local GGUF model', () => {
  let app: TestApp;
  let client: OpenAI;

  before(async () => {
    app = await createTestApp({
      yaml: `
local_models:
  local:
    path: ${tinyModelPath()}
    context_size: 2048
    threads: 1
embeddings:
  retrieval_model: local
`,
    });
    client = app.client();
  });
  after(() => app.close());

  it("should index a file with the model's own vectors and find it", async () => {
    const vs = await client.vectorStores.create({ name: 'gguf' });
    const uploaded = await client.files.create({ file: await toFile(Buffer.from(TEXT), 'facts.txt'), purpose: 'assistants' });
    const file = await client.vectorStores.files.createAndPoll(vs.id, {
      file_id: uploaded.id,
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } },
    });
    assert.equal(file.status, 'completed', JSON.stringify(file.last_error));
    const chunks = await app.server.deps.store.db
      .selectFrom('chunks')
      .select(['chunk_index', 'dims'])
      .where('file_id', '=', file.id)
      .orderBy('chunk_index')
      .execute();
    assert.ok(chunks.length > 3, `${chunks.length} chunks`);
    assert.deepEqual(chunks.map((c) => c.chunk_index), [...chunks.keys()]);
    assert.ok(chunks.every((c) => Number(c.dims) === 32), "the tiny model's 32-d vectors, not the local encoder's 512");
    const page = await client.vectorStores.search(vs.id, { query: 'Zorblax harbour door' });
    assert.ok(page.data.length > 0);
    assert.equal(page.data[0]!.file_id, file.id);
    assert.match(page.data[0]!.content[0]!.text, /Zorblax/);
  });
});
