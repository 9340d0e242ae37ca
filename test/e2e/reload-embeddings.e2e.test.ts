import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { waitFor } from '../support/until.js';

const EMBEDDINGS = '/v1/embeddings';

/** Before: everything goes to `a`. */
const yamlBefore = (a: FakeUpstream) => `
default_provider: a
providers:
  a: { base_url: "${a.url}" }
`;

/** After: `emb-alias` names `emb-target`, routed to `b` as `upstream-emb`; `my-use` names the local encoder. */
const yamlAfter = (a: FakeUpstream, b: FakeUpstream) => `
default_provider: a
providers:
  a: { base_url: "${a.url}" }
  b: { base_url: "${b.url}" }
models:
  emb-target: { provider: b, model: upstream-emb }
aliases:
  emb-alias: emb-target
  my-use: use-512
`;

describe('SIGHUP reloads the embedding routes', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let dir: string;
  let yamlPath: string;
  let server: SpawnedServer;
  let client: OpenAI;
  const embeddingModels = (fake: FakeUpstream) => fake.calls.filter((c) => c.path === EMBEDDINGS).map((c) => c.body.model);

  before(async () => {
    [a, b] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
    dir = mkdtempSync(join(tmpdir(), 'sb-reload-emb-'));
    yamlPath = join(dir, 'switchboard.yaml');
    writeFileSync(yamlPath, yamlBefore(a));
    server = await spawnServer({ SWITCHBOARD_CONFIG: yamlPath, SWITCHBOARD_DATABASE_URL: join(dir, 'sb.db') });
    client = new OpenAI({ apiKey: 'none', baseURL: server.baseURL, maxRetries: 0 });
  });
  after(async () => {
    server.child.kill('SIGKILL');
    await server.exited;
    await Promise.all([a.close(), b.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('should send an alias and a route added by a reload to their new provider', async () => {
    await client.embeddings.create({ model: 'emb-target', input: 'before' });
    await client.embeddings.create({ model: 'emb-alias', input: 'before' });
    await client.embeddings.create({ model: 'my-use', input: 'before' });
    assert.deepEqual(embeddingModels(a), ['emb-target', 'emb-alias', 'my-use']);

    writeFileSync(yamlPath, yamlAfter(a, b));
    server.child.kill('SIGHUP');
    await waitFor(() => server.logs.some((l) => String(l.msg).startsWith('reloaded:')), 'the reload log line');

    await client.embeddings.create({ model: 'emb-alias', input: 'after' });
    await client.embeddings.create({ model: 'emb-target', input: 'after' });
    const local = await client.embeddings.create({ model: 'my-use', input: 'after' });
    assert.deepEqual([local.model, local.data[0]!.embedding.length], ['my-use', 512]);
    assert.deepEqual(embeddingModels(b), ['upstream-emb', 'upstream-emb']);
    assert.deepEqual(embeddingModels(a), ['emb-target', 'emb-alias', 'my-use'], 'nothing more reached `a`: the alias is served in-process');
  });
});
