import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { spawnServer } from '../support/spawn-server.js';
import { tinyModelPath } from '../support/tiny-model.js';

// Local models in the real server process: what the operator sees at start, the errors clients get
// when the optional part or the model file is missing, eager loading and disposal on shutdown.

const KEY = 'sk-local-proc-key';
const hi = [{ role: 'user' as const, content: 'Hi' }];
const clientFor = (baseURL: string) => new OpenAI({ apiKey: KEY, baseURL, maxRetries: 0 });

describe('local models in the server process', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-local-proc-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should say how to install the local-inference part, at start and as a 503 on a request', async () => {
    const server = await spawnServer({
      SWITCHBOARD_API_KEYS: KEY,
      SWITCHBOARD_DATABASE_URL: join(dir, 'missing-part.db'),
      SWITCHBOARD_LOCAL_MODEL: tinyModelPath(),
      SWITCHBOARD_LOCAL_INFERENCE_DIR: mkdtempSync(join(dir, 'empty-')),
    });
    try {
      const startup = server.logs.find((l) => l.level === 50 && String(l.msg).includes('npm run local:install'));
      assert.ok(startup, 'an error line at start names the install command');
      const client = clientFor(server.baseURL);
      await assert.rejects(client.chat.completions.create({ model: 'local', messages: hi }), (err: unknown) => {
        assert.ok(err instanceof OpenAI.InternalServerError);
        assert.equal(err.status, 503);
        assert.equal(err.code, 'local_runtime_missing');
        assert.equal(err.type, 'server_error');
        assert.match(err.message, /npm run local:install/);
        return true;
      });
      assert.ok((await client.models.list()).data.some((m) => m.id === 'local'));
      assert.deepEqual((await client.beta.assistants.list()).data, [], 'everything else keeps working');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('should name a missing model file and the pull command', async () => {
    const server = await spawnServer({
      SWITCHBOARD_API_KEYS: KEY,
      SWITCHBOARD_DATABASE_URL: join(dir, 'missing-file.db'),
      SWITCHBOARD_LOCAL_MODEL: join(dir, 'no-such-model.gguf'),
    });
    try {
      assert.ok(server.logs.some((l) => l.level === 50 && l.path === join(dir, 'no-such-model.gguf')));
      await assert.rejects(clientFor(server.baseURL).chat.completions.create({ model: 'no-such-model', messages: hi }), (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 503);
        assert.equal(err.code, 'local_model_unavailable');
        assert.match(err.message, /switchboard pull/);
        return true;
      });
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('should load an eager model before listening, and dispose it on SIGTERM', async () => {
    const config = join(dir, 'eager.yaml');
    writeFileSync(config, `local_models:\n  eager:\n    path: ${tinyModelPath()}\n    load: eager\n    threads: 1\n    context_size: 256\n`);
    const server = await spawnServer({
      SWITCHBOARD_API_KEYS: KEY,
      SWITCHBOARD_DATABASE_URL: join(dir, 'eager.db'),
      SWITCHBOARD_CONFIG: config,
    });
    try {
      const loaded = server.logs.findIndex((l) => l.msg === 'local model loaded' && l.model === 'eager');
      const listening = server.logs.findIndex((l) => l.msg === 'switchboard is listening');
      assert.ok(loaded >= 0 && loaded < listening, 'loaded before listening');
      const c = await clientFor(server.baseURL).chat.completions.create({ model: 'eager', messages: hi, max_tokens: 3 });
      assert.equal(c.usage?.completion_tokens, 3);
      server.child.kill('SIGTERM');
      assert.deepEqual(await server.exited, { code: 0, signal: null });
      assert.ok(server.logs.some((l) => l.msg === 'local model unloaded' && l.model === 'eager'));
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
