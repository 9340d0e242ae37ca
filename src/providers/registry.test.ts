import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream } from '../../test/fakes/fake-upstream.js';
import type { FakeUpstream } from '../../test/fakes/fake-upstream.js';
import { loadConfig } from '../config.js';
import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import { createProviderRegistry } from './registry.js';
import type { ProviderRegistry } from './registry.js';

let dir: string;
let fileCounter = 0;
const registries: ProviderRegistry[] = [];

function configFrom(yaml: string, env: NodeJS.ProcessEnv = {}): Readonly<Config> {
  const path = join(dir, `registry-${++fileCounter}.yaml`);
  writeFileSync(path, yaml);
  return loadConfig({ ...env, SWITCHBOARD_CONFIG: path });
}

function registry(config: Config, opts: Parameters<typeof createProviderRegistry>[1] = {}): ProviderRegistry {
  const r = createProviderRegistry(config, opts);
  registries.push(r);
  return r;
}

/** Calls `fn` and returns the ApiError it throws. */
function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('did not throw');
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-registry-test-'));
});

after(async () => {
  await Promise.all(registries.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

// Port 1 is never contacted: resolve() does no I/O.
const ROUTING_YAML = `
default_provider: main
providers:
  main:
    base_url: http://127.0.0.1:1/v1
  other:
    base_url: http://127.0.0.1:1/other/v1
models:
  gpt-4o:
    provider: main
  fast:
    provider: other
    model: gpt-4o-mini
aliases:
  smart: clever
  clever: fast
  best: gpt-4o
`;

describe('ProviderRegistry.resolve', () => {
  let r: ProviderRegistry;
  before(() => {
    r = registry(configFrom(ROUTING_YAML));
  });

  it('should follow an alias chain to an exact route', () => {
    const m = r.resolve('smart');
    assert.equal(m.model, 'fast');
    assert.equal(m.upstreamModel, 'gpt-4o-mini');
    assert.equal(m.provider.name, 'other');
  });

  it('should follow a one-step alias', () => {
    const m = r.resolve('best');
    assert.deepEqual([m.model, m.upstreamModel, m.provider.name], ['gpt-4o', 'gpt-4o', 'main']);
  });

  it('should send an exact route under the upstream name it renames to', () => {
    const m = r.resolve('fast');
    assert.deepEqual([m.model, m.upstreamModel, m.provider.name], ['fast', 'gpt-4o-mini', 'other']);
  });

  it('should send an exact route without a rename under its own name', () => {
    const m = r.resolve('gpt-4o');
    assert.deepEqual([m.model, m.upstreamModel, m.provider.name], ['gpt-4o', 'gpt-4o', 'main']);
  });

  it('should route provider/model to that provider with the prefix removed', () => {
    const m = r.resolve('other/meta-llama/llama-3-8b');
    assert.deepEqual(
      [m.model, m.upstreamModel, m.provider.name],
      ['other/meta-llama/llama-3-8b', 'meta-llama/llama-3-8b', 'other'],
    );
  });

  it('should send a slash name whose prefix is not a provider to the default provider unchanged', () => {
    const m = r.resolve('meta-llama/llama-3-8b');
    assert.deepEqual(
      [m.model, m.upstreamModel, m.provider.name],
      ['meta-llama/llama-3-8b', 'meta-llama/llama-3-8b', 'main'],
    );
  });

  it('should fall back to the default provider for an unknown model', () => {
    const m = r.resolve('qwen2.5:7b');
    assert.deepEqual([m.model, m.upstreamModel, m.provider.name], ['qwen2.5:7b', 'qwen2.5:7b', 'main']);
  });

  it('should return the same resolution for repeated calls', () => {
    assert.equal(r.resolve('fast'), r.resolve('fast'));
  });
});

describe('ProviderRegistry.resolve without a match', () => {
  it('should throw model_not_found (404, param model) naming the model when there is no default provider', () => {
    const r = registry(
      configFrom(`
providers:
  a:
    base_url: http://127.0.0.1:1/v1
  b:
    base_url: http://127.0.0.1:1/v1
`),
    );
    const err = apiError(() => r.resolve('mystery-model'));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_not_found');
    assert.equal(err.param, 'model');
    assert.equal(err.type, 'invalid_request_error');
    assert.match(err.message, /^The model `mystery-model` does not exist/);
    assert.match(err.message, /`<provider>\/<model>`/);
    assert.equal(err.message.includes('SWITCHBOARD_UPSTREAM_URL'), false);
  });

  it('should keep throwing for the same unknown model', () => {
    const r = registry(configFrom('providers:\n  a:\n    base_url: http://127.0.0.1:1/v1\n  b:\n    base_url: http://127.0.0.1:1/v1\n'));
    apiError(() => r.resolve('mystery-model'));
    assert.equal(apiError(() => r.resolve('mystery-model')).code, 'model_not_found');
  });

  it('should mention SWITCHBOARD_UPSTREAM_URL when no provider is configured', () => {
    const r = registry(loadConfig({}));
    const err = apiError(() => r.resolve('gpt-4o'));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_not_found');
    assert.match(err.message, /No model provider is configured: set SWITCHBOARD_UPSTREAM_URL/);
  });
});

describe('ProviderRegistry.listModels', () => {
  let mainUp: FakeUpstream;
  let otherUp: FakeUpstream;
  let config: Readonly<Config>;
  let now: number;
  const clock = () => now;
  const modelCalls = (up: FakeUpstream) => up.calls.filter((c) => c.method === 'GET' && c.path === '/v1/models').length;

  before(async () => {
    mainUp = await startFakeUpstream();
    otherUp = await startFakeUpstream();
    config = configFrom(`
default_provider: main
providers:
  main:
    base_url: ${mainUp.url}
    max_retries: 0
  other:
    base_url: ${otherUp.url}
    max_retries: 0
    models: [extra-model]
models:
  fast:
    provider: other
    model: gpt-4o-mini
aliases:
  best: fast
`);
  });

  after(async () => {
    await Promise.all(registries.map((r) => r.close()));
    registries.length = 0;
    await Promise.all([mainUp.close(), otherUp.close()]);
  });

  beforeEach(() => {
    mainUp.reset();
    otherUp.reset();
    now = 1_700_000_000_000;
  });

  it('should list routes, aliases, and upstream ids, prefixing those of non-default providers', async () => {
    const models = await registry(config, { clock }).listModels();
    assert.deepEqual(
      models.map((m) => [m.id, m.owned_by]),
      [
        ['fast', 'other'],
        ['best', 'switchboard'],
        ['fake-model', 'main'],
        ['fake-model-2', 'main'],
        ['other/extra-model', 'other'],
        ['other/fake-model', 'other'],
        ['other/fake-model-2', 'other'],
      ],
    );
  });

  it('should give every model object "model" and created from the clock in seconds', async () => {
    const models = await registry(config, { clock }).listModels();
    assert.equal(models.length, 7);
    for (const m of models) {
      assert.equal(m.object, 'model');
      assert.equal(m.created, 1_700_000_000);
    }
  });

  it('should ask each upstream GET /models once', async () => {
    await registry(config, { clock }).listModels();
    assert.equal(modelCalls(mainUp), 1);
    assert.equal(modelCalls(otherUp), 1);
    assert.equal(mainUp.calls[0]!.url, '/v1/models');
  });

  it('should serve a second call within the TTL from the cache', async () => {
    const r = registry(config, { clock });
    const first = await r.listModels();
    now += 60_000;
    const second = await r.listModels();
    assert.equal(second, first);
    assert.equal(modelCalls(mainUp), 1);
    assert.equal(modelCalls(otherUp), 1);
  });

  it('should ask the upstreams again once the TTL has passed', async () => {
    const r = registry(config, { clock });
    await r.listModels();
    now += 60_001;
    const again = await r.listModels();
    assert.equal(modelCalls(mainUp), 2);
    assert.equal(modelCalls(otherUp), 2);
    assert.equal(again[0]!.created, Math.floor(now / 1000));
  });

  it('should still list configured models when an upstream answers /models with an error', async () => {
    mainUp.enqueue('/v1/models', { type: 'error', status: 500 });
    const models = await registry(config, { clock }).listModels();
    assert.deepEqual(
      models.map((m) => m.id),
      ['fast', 'best', 'other/extra-model', 'other/fake-model', 'other/fake-model-2'],
    );
  });

  it('should skip upstream entries without a string id', async () => {
    mainUp.enqueue('/v1/models', { type: 'json', body: { object: 'list', data: [{ id: 'ok-model' }, { id: 42 }, {}] } });
    const models = await registry(config, { clock }).listModels();
    assert.deepEqual(
      models.filter((m) => m.owned_by === 'main').map((m) => m.id),
      ['ok-model'],
    );
  });

  it('should log a warning and list no ids for an upstream whose /models body is not JSON', async () => {
    const warnings: Array<{ obj: object; msg: string }> = [];
    mainUp.enqueue('/v1/models', { type: 'json', body: 'not json at all' });
    const models = await registry(config, { clock, log: { warn: (obj, msg) => void warnings.push({ obj, msg }) } }).listModels();
    assert.equal(models.some((m) => m.owned_by === 'main'), false);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.msg, 'could not list upstream models');
    assert.equal((warnings[0]!.obj as { provider: string }).provider, 'main');
  });
});

describe('ProviderRegistry with local models', () => {
  const LOCAL_YAML = `
default_provider: main
providers:
  main:
    base_url: http://127.0.0.1:1/v1
local_models:
  tiny:
    path: /nonexistent/tiny.gguf
    aliases: [small]
aliases:
  quick: small
`;
  let r: ProviderRegistry;
  before(() => {
    r = registry(configFrom(LOCAL_YAML), { clock: () => 1_700_000_000_000 });
  });

  it('should route a local model and its aliases in-process, ahead of the default provider', () => {
    for (const name of ['tiny', 'small', 'quick']) {
      const route = r.route(name);
      assert.equal(route.kind, 'local', name);
      assert.equal(route.model, 'tiny');
    }
    assert.equal(r.route('gpt-4o').kind, 'upstream');
  });

  it('should give one ChatModel per local model, named after it', () => {
    const m = r.chatModel('small');
    assert.equal(m, r.chatModel('tiny'));
    assert.deepEqual([m.provider, m.modelId], ['local', 'tiny']);
    assert.equal(r.chatModel('gpt-4o'), r.chatModel('gpt-4o'));
    assert.equal(r.chatModel('gpt-4o').provider, 'main');
  });

  it('should refuse to resolve a local model to an upstream (embeddings) with a 400', () => {
    const err = apiError(() => r.resolve('small'));
    assert.deepEqual([err.status, err.code, err.param], [400, 'model_not_supported', 'model']);
  });

  it('should list local models as owned by switchboard', async () => {
    const models = await r.listModels();
    assert.deepEqual(models.find((m) => m.id === 'tiny'), { id: 'tiny', object: 'model', created: 1_700_000_000, owned_by: 'switchboard' });
    assert.ok(models.some((m) => m.id === 'small'));
  });

  it('should name SWITCHBOARD_LOCAL_MODEL in the hint when nothing is configured', () => {
    const err = apiError(() => registry(loadConfig({})).route('gpt-4o'));
    assert.match(err.message, /SWITCHBOARD_LOCAL_MODEL/);
  });
});

describe('ProviderRegistry with an anthropic provider', () => {
  const ANTHROPIC_YAML = `
default_provider: main
providers:
  main:
    base_url: http://127.0.0.1:1/v1
  anthropic:
    type: anthropic
    base_url: http://127.0.0.1:1
models:
  sonnet:
    provider: anthropic
    model: claude-sonnet-4-5
aliases:
  claude: sonnet
`;
  let r: ProviderRegistry;
  before(() => {
    r = registry(configFrom(ANTHROPIC_YAML));
  });

  it('should route prefixes, exact models and aliases of an anthropic provider to a ChatModel, not the relay', () => {
    for (const [name, modelId] of [
      ['anthropic/claude-haiku-4-5', 'claude-haiku-4-5'],
      ['sonnet', 'claude-sonnet-4-5'],
      ['claude', 'claude-sonnet-4-5'],
    ] as const) {
      const route = r.route(name);
      assert.equal(route.kind, 'model', name);
      assert.ok(route.kind === 'model');
      assert.deepEqual([route.chatModel.provider, route.chatModel.modelId], ['anthropic', modelId]);
    }
    assert.equal(r.route('gpt-4o').kind, 'upstream');
  });

  it('should give one ChatModel per provider and model, the same one route() holds', () => {
    const m = r.chatModel('claude');
    assert.equal(m, r.chatModel('sonnet'));
    assert.equal(m, r.chatModel('anthropic/claude-sonnet-4-5'));
    const route = r.route('sonnet');
    assert.ok(route.kind === 'model' && route.chatModel === m);
  });

  it('should refuse to resolve an anthropic model to a relay upstream (embeddings) with a 400', () => {
    const err = apiError(() => r.resolve('sonnet'));
    assert.deepEqual([err.status, err.code, err.param], [400, 'model_not_supported', 'model']);
  });
});

describe('ProviderRegistry.reload', () => {
  it('should route by the new table, keeping the client of a provider whose settings did not change', () => {
    const r = registry(configFrom(ROUTING_YAML));
    const mainBefore = r.resolve('gpt-4o').provider;
    const otherBefore = r.resolve('fast').provider;
    r.reload(
      configFrom(
        ROUTING_YAML.replace('http://127.0.0.1:1/other/v1', 'http://127.0.0.1:1/moved/v1').replace('  best: gpt-4o', '  best: fast'),
      ),
    );
    assert.equal(r.resolve('gpt-4o').provider, mainBefore, 'unchanged provider: same client');
    const otherAfter = r.resolve('fast').provider;
    assert.notEqual(otherAfter, otherBefore, 'changed provider: a new client');
    assert.equal(otherAfter.baseURL, 'http://127.0.0.1:1/moved/v1');
    assert.equal(r.resolve('best').upstreamModel, 'gpt-4o-mini', 'aliases reloaded (memo dropped)');
  });

  it('should answer model_not_found for a route the reload removed', () => {
    const r = registry(configFrom(ROUTING_YAML));
    r.resolve('fast');
    r.reload(configFrom('providers:\n  main:\n    base_url: http://127.0.0.1:1/v1\ndefault_provider: main\n'));
    assert.equal(r.resolve('fast').provider.baseURL, 'http://127.0.0.1:1/v1', 'now the default provider');
    r.reload(configFrom('{}'));
    assert.equal(apiError(() => r.resolve('fast')).code, 'model_not_found');
  });
});
