import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, hashKey, isLoopback, loadConfig, redactConfig, type UnsetVariable } from './config.js';

let dir: string;
let fileCounter = 0;

/** Writes a YAML file into the suite's temp dir and returns its path. */
function yamlFile(text: string): string {
  const path = join(dir, `config-${++fileCounter}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** Runs loadConfig and returns the ConfigError it throws (fails if it does not throw one). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('loadConfig did not throw');
}

const FULL_YAML = `
port: 9090
default_provider: local
providers:
  openai:
    base_url: https://api.openai.com/v1
    api_key: \${TEST_OPENAI_KEY}
    headers:
      X-Org: org-secret-value
  local:
    base_url: http://127.0.0.1:11434/v1
    models: [llama3]
    max_retries: 0
models:
  gpt-4o:
    provider: openai
  fast:
    provider: openai
    model: gpt-4o-mini
aliases:
  best: gpt-4o
prices:
  gpt-4o: { input: 2.5, output: 10, cached_input: 1.25 }
keys:
  - key: sk-acme-0123456789
    tenant: acme
    name: ci
  - sk-plain-key-abcdef
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-config-test-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig defaults', () => {
  it('should listen on 127.0.0.1:8080 by default', () => {
    const c = loadConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
  });

  it('should default the database to ./data/switchboard.db', () => {
    assert.equal(loadConfig({}).databaseUrl, './data/switchboard.db');
  });

  it('should be in open mode with no keys when none are configured', () => {
    const c = loadConfig({});
    assert.equal(c.openMode, true);
    assert.deepEqual(c.keys, []);
  });

  it('should have no providers and no default provider by default', () => {
    const c = loadConfig({});
    assert.deepEqual(c.providers, []);
    assert.equal(c.defaultProvider, null);
  });

  it('should return a frozen object', () => {
    assert.equal(Object.isFrozen(loadConfig({})), true);
  });

  it('should treat empty-string variables as unset', () => {
    const c = loadConfig({ PORT: '', HOST: '', SWITCHBOARD_UPSTREAM_URL: '' });
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.deepEqual(c.providers, []);
  });

  it('should place the database under SWITCHBOARD_DATA_DIR', () => {
    assert.equal(loadConfig({ SWITCHBOARD_DATA_DIR: '/var/lib/sb' }).databaseUrl, '/var/lib/sb/switchboard.db');
  });

  it('should convert SWITCHBOARD_BODY_LIMIT_MB to bytes', () => {
    assert.equal(loadConfig({ SWITCHBOARD_BODY_LIMIT_MB: '2' }).bodyLimitBytes, 2 * 1024 * 1024);
  });

  it('should cap the in-memory indexes at 1 GiB, or SWITCHBOARD_INDEX_MEMORY_MB / index_memory_mb', () => {
    assert.equal(loadConfig({}).indexMemoryBytes, 1024 * 1024 * 1024);
    assert.equal(loadConfig({ SWITCHBOARD_CONFIG: yamlFile('index_memory_mb: 64\n') }).indexMemoryBytes, 64 * 1024 * 1024);
    const both = { SWITCHBOARD_CONFIG: yamlFile('index_memory_mb: 64\n'), SWITCHBOARD_INDEX_MEMORY_MB: '256' };
    assert.equal(loadConfig(both).indexMemoryBytes, 256 * 1024 * 1024);
  });

  it('should keep background store:false responses 600 s, or SWITCHBOARD_UNSTORED_BACKGROUND_TTL_S / responses.unstored_background_ttl_s', () => {
    assert.deepEqual(loadConfig({}).responses, { unstoredBackgroundTtlS: 600 });
    const file = yamlFile('responses:\n  unstored_background_ttl_s: 60\n');
    assert.equal(loadConfig({ SWITCHBOARD_CONFIG: file }).responses.unstoredBackgroundTtlS, 60);
    assert.equal(loadConfig({ SWITCHBOARD_CONFIG: file, SWITCHBOARD_UNSTORED_BACKGROUND_TTL_S: '30' }).responses.unstoredBackgroundTtlS, 30);
    assert.match(configError({ SWITCHBOARD_UNSTORED_BACKGROUND_TTL_S: '0' }).message, /SWITCHBOARD_UNSTORED_BACKGROUND_TTL_S/);
  });
});

describe('loadConfig environment', () => {
  it('should parse PORT as a number', () => {
    assert.equal(loadConfig({ PORT: '3000' }).port, 3000);
  });

  it('should create provider default from SWITCHBOARD_UPSTREAM_URL and make it the default provider', () => {
    const c = loadConfig({ SWITCHBOARD_UPSTREAM_URL: 'http://127.0.0.1:11434/v1', SWITCHBOARD_UPSTREAM_API_KEY: 'up-key' });
    assert.equal(c.providers.length, 1);
    assert.equal(c.providers[0]!.name, 'default');
    assert.equal(c.providers[0]!.base_url, 'http://127.0.0.1:11434/v1');
    assert.equal(c.providers[0]!.api_key, 'up-key');
    assert.equal(c.defaultProvider, 'default');
  });

  it('should apply provider defaults to the upstream from the environment', () => {
    const p = loadConfig({ SWITCHBOARD_UPSTREAM_URL: 'http://127.0.0.1:11434/v1' }).providers[0]!;
    assert.equal(p.type, 'openai-compatible');
    // A chat call that goes silent fails within a minute or two, not ten.
    assert.equal(p.timeout_ms, 120_000);
    assert.equal(p.idle_timeout_ms, 60_000);
    assert.equal(p.max_retries, 2);
    assert.deepEqual(p.headers, {});
    assert.deepEqual(p.models, []);
  });

  it('should reject a non-numeric PORT with a ConfigError naming PORT', () => {
    assert.match(configError({ PORT: 'eighty' }).message, /PORT/);
  });

  it('should reject an out-of-range PORT with a ConfigError naming PORT', () => {
    assert.match(configError({ PORT: '70000' }).message, /PORT/);
  });

  it('should reject a blank PORT instead of listening on a random port', () => {
    assert.match(configError({ PORT: ' ' }).message, /PORT/);
  });

  it('should reject a malformed SWITCHBOARD_UPSTREAM_URL with a ConfigError naming it', () => {
    assert.match(configError({ SWITCHBOARD_UPSTREAM_URL: 'not a url' }).message, /SWITCHBOARD_UPSTREAM_URL/);
  });

  it(
    'should reject a non-http SWITCHBOARD_UPSTREAM_URL with a ConfigError naming it',
    () => {
      assert.match(configError({ SWITCHBOARD_UPSTREAM_URL: 'mailto:a@b.c' }).message, /SWITCHBOARD_UPSTREAM_URL/);
    },
  );

  it('should reject an unknown log level with a ConfigError naming SWITCHBOARD_LOG_LEVEL', () => {
    assert.match(configError({ SWITCHBOARD_LOG_LEVEL: 'loud' }).message, /SWITCHBOARD_LOG_LEVEL/);
  });

  it('should leave open mode on HOST=0.0.0.0 to the start, where the database may hold keys', () => {
    const c = loadConfig({ HOST: '0.0.0.0' });
    assert.equal(c.openMode, true);
    assert.equal(c.host, '0.0.0.0');
  });

  it('should take the admin key from SWITCHBOARD_ADMIN_KEY and YAML admin_key, out of open mode', () => {
    const path = yamlFile('admin_key: sk-admin-from-yaml-1\n');
    const c = loadConfig({ SWITCHBOARD_CONFIG: path, SWITCHBOARD_ADMIN_KEY: 'sk-admin-from-env-2' });
    assert.deepEqual(
      c.adminKeys.map((k) => [k.id, k.name, k.redacted]),
      [
        ['key_' + hashKey('sk-admin-from-yaml-1').slice(0, 16), 'admin_key (YAML)', 'sk-admin-…ml-1'],
        ['key_' + hashKey('sk-admin-from-env-2').slice(0, 16), 'SWITCHBOARD_ADMIN_KEY', 'sk-admin-…nv-2'],
      ],
    );
    assert.equal(c.openMode, false);
  });

  it('should allow HOST=0.0.0.0 when API keys are configured', () => {
    const c = loadConfig({ HOST: '0.0.0.0', SWITCHBOARD_API_KEYS: 'sk-one-123456' });
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.openMode, false);
  });

  it('should make each environment key its own tenant', () => {
    const c = loadConfig({ SWITCHBOARD_API_KEYS: ' sk-first-111111 , sk-second-222222 ,' });
    assert.equal(c.keys.length, 2);
    const [a, b] = c.keys;
    assert.equal(a!.hash, hashKey('sk-first-111111'));
    assert.equal(b!.hash, hashKey('sk-second-222222'));
    assert.equal(a!.id, 'key_' + hashKey('sk-first-111111').slice(0, 16));
    assert.equal(a!.tenant, a!.id);
    assert.equal(b!.tenant, b!.id);
    assert.notEqual(a!.tenant, b!.tenant);
  });

  it('should not keep the key itself in the config', () => {
    const c = loadConfig({ SWITCHBOARD_API_KEYS: 'sk-first-111111' });
    assert.equal(JSON.stringify(c).includes('sk-first-111111'), false);
  });
});

describe('loadConfig YAML file', () => {
  it('should parse providers with ${VAR} expanded from the env passed in', () => {
    const c = loadConfig({ SWITCHBOARD_CONFIG: yamlFile(FULL_YAML), TEST_OPENAI_KEY: 'sk-upstream-xyz' });
    assert.deepEqual(
      c.providers.map((p) => [p.name, p.base_url, p.api_key]),
      [
        ['openai', 'https://api.openai.com/v1', 'sk-upstream-xyz'],
        ['local', 'http://127.0.0.1:11434/v1', undefined],
      ],
    );
    assert.deepEqual(c.providers[0]!.headers, { 'X-Org': 'org-secret-value' });
    assert.deepEqual(c.providers[1]!.models, ['llama3']);
    assert.equal(c.providers[1]!.max_retries, 0);
  });

  it('should expand an unset ${VAR} to an empty string, and name the variable and the field', () => {
    const unset: UnsetVariable[] = [];
    const c = loadConfig({ SWITCHBOARD_CONFIG: yamlFile(FULL_YAML) }, { onUnsetVariable: (u) => unset.push(u) });
    assert.equal(c.providers[0]!.api_key, '');
    assert.deepEqual(unset, [{ variable: 'TEST_OPENAI_KEY', field: 'providers.openai.api_key' }]);
  });

  it('should parse default_provider, port, models, aliases and prices', () => {
    const c = loadConfig({ SWITCHBOARD_CONFIG: yamlFile(FULL_YAML) });
    assert.equal(c.defaultProvider, 'local');
    assert.equal(c.port, 9090);
    assert.deepEqual(c.models, { 'gpt-4o': { provider: 'openai' }, fast: { provider: 'openai', model: 'gpt-4o-mini' } });
    assert.deepEqual(c.aliases, { best: 'gpt-4o' });
    assert.deepEqual(c.prices, { 'gpt-4o': { input: 2.5, output: 10, cached_input: 1.25 } });
  });

  it('should parse tool_prices, input-only prices, context_windows and the storage sampling interval', () => {
    const c = loadConfig({
      SWITCHBOARD_CONFIG: yamlFile(
        'prices:\n  emb: { input: 0.02 }\ntool_prices:\n  file_search_call: 0.0025\ncontext_windows:\n  qwen: 32768\nvector_store_usage_sample_s: 600\n',
      ),
    });
    assert.deepEqual(c.prices, { emb: { input: 0.02, output: 0 } });
    assert.deepEqual(c.toolPrices, { code_interpreter_session: 0, file_search_call: 0.0025, vector_store_gb_day: 0 });
    assert.deepEqual(c.contextWindows, { qwen: 32768 });
    assert.equal(c.vectorStoreSampleMs, 600_000);
  });

  it('should leave tools free and sample storage hourly by default', () => {
    const c = loadConfig({});
    assert.deepEqual(c.toolPrices, { code_interpreter_session: 0, file_search_call: 0, vector_store_gb_day: 0 });
    assert.equal(c.vectorStoreSampleMs, 3_600_000);
  });

  it('should let PORT from the environment override the file', () => {
    assert.equal(loadConfig({ SWITCHBOARD_CONFIG: yamlFile(FULL_YAML), PORT: '7000' }).port, 7000);
  });

  it('should give a YAML key with tenant that tenant and name', () => {
    const c = loadConfig({ SWITCHBOARD_CONFIG: yamlFile(FULL_YAML) });
    const k = c.keys.find((x) => x.hash === hashKey('sk-acme-0123456789'));
    assert.ok(k);
    assert.equal(k.tenant, 'acme');
    assert.equal(k.name, 'ci');
  });

  it('should make a plain YAML key its own tenant', () => {
    const c = loadConfig({ SWITCHBOARD_CONFIG: yamlFile(FULL_YAML) });
    const k = c.keys.find((x) => x.hash === hashKey('sk-plain-key-abcdef'));
    assert.ok(k);
    assert.equal(k.tenant, k.id);
    assert.equal(k.name, k.id);
  });

  it('should combine YAML keys and environment keys', () => {
    const c = loadConfig({ SWITCHBOARD_CONFIG: yamlFile(FULL_YAML), SWITCHBOARD_API_KEYS: 'sk-env-key-999999' });
    assert.deepEqual(
      c.keys.map((k) => k.hash),
      [hashKey('sk-acme-0123456789'), hashKey('sk-plain-key-abcdef'), hashKey('sk-env-key-999999')],
    );
    assert.equal(c.openMode, false);
  });

  it(
    'should reject the same key listed twice',
    () => {
      const path = yamlFile('keys:\n  - key: sk-dup-key-0000\n    tenant: acme\n');
      assert.match(configError({ SWITCHBOARD_CONFIG: path, SWITCHBOARD_API_KEYS: 'sk-dup-key-0000' }).message, /key/);
    },
  );

  it('should name an unknown top-level field', () => {
    const err = configError({ SWITCHBOARD_CONFIG: yamlFile('bogus_field: 1\n') });
    assert.match(err.message, /bogus_field/);
  });

  it('should name an unknown provider field', () => {
    const err = configError({
      SWITCHBOARD_CONFIG: yamlFile('providers:\n  p1:\n    base_url: http://127.0.0.1:1/v1\n    apikey: x\n'),
    });
    assert.match(err.message, /providers\.p1/);
    assert.match(err.message, /apikey/);
  });

  it('should name models.<name>.provider when a route names an unknown provider', () => {
    const err = configError({ SWITCHBOARD_CONFIG: yamlFile('models:\n  gpt-4o:\n    provider: nowhere\n') });
    assert.match(err.message, /^models\.gpt-4o\.provider: .*'nowhere'/);
  });

  it('should reject a default_provider that does not exist', () => {
    const err = configError({ SWITCHBOARD_CONFIG: yamlFile('default_provider: ghost\n') });
    assert.match(err.message, /^default_provider: .*'ghost'/);
  });

  it('should name the field of a provider with a bad base_url', () => {
    const err = configError({ SWITCHBOARD_CONFIG: yamlFile('providers:\n  p1:\n    base_url: nope\n') });
    assert.match(err.message, /providers\.p1\.base_url/);
  });

  it('should report YAML syntax errors as a ConfigError naming SWITCHBOARD_CONFIG', () => {
    assert.match(configError({ SWITCHBOARD_CONFIG: yamlFile('providers: [unclosed\n') }).message, /^SWITCHBOARD_CONFIG/);
  });

  it('should report a missing file as a ConfigError naming SWITCHBOARD_CONFIG', () => {
    assert.match(configError({ SWITCHBOARD_CONFIG: join(dir, 'missing.yaml') }).message, /^SWITCHBOARD_CONFIG/);
  });

  it('should accept an empty file', () => {
    assert.deepEqual(loadConfig({ SWITCHBOARD_CONFIG: yamlFile('') }).providers, []);
  });

  it('should make the only YAML provider the default provider', () => {
    const c = loadConfig({ SWITCHBOARD_CONFIG: yamlFile('providers:\n  solo:\n    base_url: http://127.0.0.1:1/v1\n') });
    assert.equal(c.defaultProvider, 'solo');
  });

  it('should leave the default provider unset with several YAML providers and none named default', () => {
    const c = loadConfig({
      SWITCHBOARD_CONFIG: yamlFile(
        'providers:\n  a:\n    base_url: http://127.0.0.1:1/v1\n  b:\n    base_url: http://127.0.0.1:2/v1\n',
      ),
    });
    assert.equal(c.defaultProvider, null);
  });

  it('should let SWITCHBOARD_UPSTREAM_URL replace a YAML provider named default', () => {
    const c = loadConfig({
      SWITCHBOARD_CONFIG: yamlFile('providers:\n  default:\n    base_url: http://127.0.0.1:1/v1\n'),
      SWITCHBOARD_UPSTREAM_URL: 'http://127.0.0.1:2/v1',
    });
    assert.deepEqual(
      c.providers.map((p) => [p.name, p.base_url]),
      [['default', 'http://127.0.0.1:2/v1']],
    );
  });
});

describe('loadConfig provider types', () => {
  it('should default a provider to the OpenAI-compatible type and an anthropic one to https://api.anthropic.com', () => {
    const c = loadConfig({
      SWITCHBOARD_CONFIG: yamlFile('providers:\n  a:\n    base_url: http://127.0.0.1:1/v1\n  claude:\n    type: anthropic\n    api_key: k\n'),
    });
    assert.deepEqual(
      c.providers.map((p) => [p.name, p.type, p.base_url]),
      [
        ['a', 'openai-compatible', 'http://127.0.0.1:1/v1'],
        ['claude', 'anthropic', 'https://api.anthropic.com'],
      ],
    );
  });

  it('should accept type openai, the short name of openai-compatible', () => {
    const c = loadConfig({ SWITCHBOARD_CONFIG: yamlFile('providers:\n  a:\n    type: openai\n    base_url: http://127.0.0.1:1/v1\n') });
    assert.equal(c.providers[0]?.type, 'openai');
  });

  it('should refuse an OpenAI-compatible provider without base_url, naming the field', () => {
    const err = configError({ SWITCHBOARD_CONFIG: yamlFile('providers:\n  a:\n    api_key: k\n') });
    assert.match(err.message, /providers\.a\.base_url/);
  });

  it('should refuse an unknown type and point local models to local_models', () => {
    assert.match(configError({ SWITCHBOARD_CONFIG: yamlFile('providers:\n  a:\n    type: cohere\n') }).message, /providers\.a\.type/);
    assert.match(configError({ SWITCHBOARD_CONFIG: yamlFile('providers:\n  a:\n    type: local\n') }).message, /local_models/);
  });
});

describe('redactConfig', () => {
  const config = () =>
    loadConfig({
      SWITCHBOARD_CONFIG: yamlFile(FULL_YAML),
      TEST_OPENAI_KEY: 'sk-upstream-secret',
      SWITCHBOARD_DATABASE_URL: 'postgres://sb:db-secret-pw@db.internal:5432/switchboard',
    });

  it('should mask provider api keys', () => {
    const r = redactConfig(config()) as { providers: Array<{ api_key?: string }> };
    assert.equal(r.providers[0]!.api_key, '***');
    assert.equal(r.providers[1]!.api_key, undefined);
  });

  it('should mask provider header values but keep their names', () => {
    const r = redactConfig(config()) as { providers: Array<{ headers: Record<string, string> }> };
    assert.deepEqual(r.providers[0]!.headers, { 'X-Org': '***' });
  });

  it('should show keys only as id, tenant, name and the redacted form', () => {
    const r = redactConfig(config()) as { keys: unknown[] };
    const acme = loadConfig({ SWITCHBOARD_API_KEYS: 'sk-acme-0123456789' }).keys[0]!;
    assert.deepEqual(r.keys[0], { id: acme.id, tenant: 'acme', name: 'ci', key: 'sk-…6789' });
  });

  it('should mask the postgres password', () => {
    assert.equal(redactConfig(config()).databaseUrl, 'postgres://sb:***@db.internal:5432/switchboard');
  });

  it('should contain none of the secrets', () => {
    const text = JSON.stringify(redactConfig(config()));
    for (const secret of ['sk-upstream-secret', 'org-secret-value', 'db-secret-pw', 'sk-acme-0123456789', 'sk-plain-key-abcdef'])
      assert.equal(text.includes(secret), false, secret);
  });

  it(
    'should mask a postgres password given with an empty user name',
    () => {
      const c = loadConfig({ SWITCHBOARD_DATABASE_URL: 'postgres://:db-secret-pw@db.internal/switchboard' });
      assert.equal(String(redactConfig(c).databaseUrl).includes('db-secret-pw'), false);
    },
  );

  it(
    'should mask a postgres password given as a query parameter',
    () => {
      const c = loadConfig({ SWITCHBOARD_DATABASE_URL: 'postgres://sb@db.internal/switchboard?password=db-secret-pw' });
      assert.equal(String(redactConfig(c).databaseUrl).includes('db-secret-pw'), false);
    },
  );

  it('should leave a SQLite path unchanged', () => {
    assert.equal(redactConfig(loadConfig({})).databaseUrl, './data/switchboard.db');
  });
});

describe('isLoopback', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
    it(`should accept ${host}`, () => {
      assert.equal(isLoopback(host), true);
    });

  for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com'])
    it(`should reject ${host}`, () => {
      assert.equal(isLoopback(host), false);
    });
});

describe('loadConfig local models', () => {
  it('should have none by default', () => {
    const c = loadConfig({});
    assert.deepEqual(c.localModels, []);
    assert.equal(c.localRuntimeDir, null);
  });

  it('should serve SWITCHBOARD_LOCAL_MODEL as `local`, lazily, also under its file name without .gguf', () => {
    const c = loadConfig({ SWITCHBOARD_LOCAL_MODEL: '/models/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf' });
    assert.deepEqual(c.localModels, [
      {
        id: 'local',
        path: '/models/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf',
        contextSize: null,
        threads: null,
        gpuLayers: 'auto',
        parallel: 1,
        load: 'lazy',
        idleUnloadMs: 900_000,
      },
    ]);
    assert.equal(c.aliases['Qwen2.5-0.5B-Instruct-Q4_K_M'], 'local');
  });

  it('should read local_models from YAML, with settings and aliases', () => {
    const c = loadConfig({
      SWITCHBOARD_CONFIG: yamlFile(`
local_models:
  qwen:
    path: /m/qwen.gguf
    context_size: 8192
    threads: 4
    gpu_layers: max
    parallel: 3
    aliases: [q, small]
    load: eager
    idle_unload_ms: 0
  phi:
    path: /m/phi.gguf
    aliases: tiny
    gpu_layers: 0
`),
    });
    assert.deepEqual(c.localModels[0], {
      id: 'qwen',
      path: '/m/qwen.gguf',
      contextSize: 8192,
      threads: 4,
      gpuLayers: 'max',
      parallel: 3,
      load: 'eager',
      idleUnloadMs: 0,
    });
    assert.equal(c.localModels[1]?.gpuLayers, 0);
    assert.deepEqual([c.aliases.q, c.aliases.small, c.aliases.tiny], ['qwen', 'qwen', 'phi']);
  });

  it('should resolve a bare file name into <data dir>/models, where pull saves', () => {
    const c = loadConfig({ SWITCHBOARD_DATA_DIR: '/srv/sb', SWITCHBOARD_LOCAL_MODEL: 'model-that-is-not-here.gguf' });
    assert.equal(c.localModels[0]?.path, '/srv/sb/models/model-that-is-not-here.gguf');
  });

  it('should let SWITCHBOARD_LOCAL_MODEL set the path of a YAML `local` entry and keep its settings', () => {
    const c = loadConfig({
      SWITCHBOARD_LOCAL_MODEL: '/m/other.gguf',
      SWITCHBOARD_CONFIG: yamlFile('local_models:\n  local:\n    path: /m/first.gguf\n    parallel: 4\n'),
    });
    assert.equal(c.localModels.length, 1);
    assert.deepEqual([c.localModels[0]?.path, c.localModels[0]?.parallel], ['/m/other.gguf', 4]);
  });

  it('should refuse names that clash with routes or aliases, and bad settings', () => {
    const clash = configError({
      SWITCHBOARD_CONFIG: yamlFile(`
providers: { up: { base_url: 'http://127.0.0.1:1/v1' } }
models: { fast: { provider: up } }
local_models: { mine: { path: /m/a.gguf, aliases: [fast] } }
`),
    });
    assert.match(clash.message, /local_models\.mine\.aliases: 'fast'/);
    const route = configError({
      SWITCHBOARD_CONFIG: yamlFile(`
providers: { up: { base_url: 'http://127.0.0.1:1/v1' } }
models: { mine: { provider: up } }
local_models: { mine: { path: /m/a.gguf } }
`),
    });
    assert.match(route.message, /local_models\.mine/);
    const bad = configError({ SWITCHBOARD_CONFIG: yamlFile('local_models: { m: { path: /m/a.gguf, parallel: 0 } }') });
    assert.match(bad.message, /local_models\.m\.parallel/);
  });

  it('should take the local-inference folder from SWITCHBOARD_LOCAL_INFERENCE_DIR', () => {
    assert.equal(loadConfig({ SWITCHBOARD_LOCAL_INFERENCE_DIR: '/opt/li' }).localRuntimeDir, '/opt/li');
  });
});
