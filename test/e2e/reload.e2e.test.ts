import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { UsageCostsResponse } from 'openai/resources/admin/organization/usage';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { until, waitFor } from '../support/until.js';

const question = [{ role: 'user' as const, content: 'What is the capital of France?' }];
const KEPT = 'sk-reload-kept-0001';
const GONE = 'sk-reload-gone-0002';
const startOfToday = () => Math.floor(Date.now() / 86_400_000) * 86_400;

/** Before: provider `a` with the route `old-route`, two keys, `gpt-new` unpriced. */
const yamlBefore = (a: FakeUpstream) => `
usage_flush_ms: 50
default_provider: a
providers:
  a: { base_url: "${a.url}" }
models:
  old-route: { provider: a }
prices:
  gpt-4o: { input: 1, output: 1 }
keys:
  - { key: ${KEPT}, tenant: t1 }
  - { key: ${GONE}, tenant: t2 }
`;

/** After: provider `a` replaced (a new header), `b` and its route added, `gpt-new` priced, one key removed. */
const yamlAfter = (a: FakeUpstream, b: FakeUpstream) => `
usage_flush_ms: 50
default_provider: a
providers:
  a: { base_url: "${a.url}", headers: { x-generation: "2" } }
  b: { base_url: "${b.url}" }
models:
  old-route: { provider: a }
  routed-b: { provider: b, model: upstream-b }
prices:
  gpt-4o: { input: 1, output: 1 }
  gpt-new: { input: 3, output: 5 }
keys:
  - { key: ${KEPT}, tenant: t1 }
`;

type CostsResult = UsageCostsResponse.Data.OrganizationCostsResult;

async function costOfLine(client: OpenAI, lineItem: string): Promise<number> {
  const page = await client.get<UsageCostsResponse>('/organization/costs', {
    query: { start_time: startOfToday(), group_by: ['line_item'] },
  });
  const results: CostsResult[] = page.data.flatMap((b) => b.results as CostsResult[]);
  return results.filter((r) => r.line_item === lineItem).reduce((n, r) => n + (r.amount?.value ?? 0), 0);
}

describe('SIGHUP reloads the YAML', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let dir: string;
  let yamlPath: string;
  let server: SpawnedServer;
  const client = (key: string) => new OpenAI({ apiKey: key, baseURL: server.baseURL, maxRetries: 0 });
  const reloadLines = () => server.logs.filter((l) => typeof l.msg === 'string' && /^reload(ed| refused)/.test(l.msg));

  /** Writes the YAML, sends SIGHUP and waits for the reload's log line. */
  async function reload(yaml: string): Promise<Record<string, unknown>> {
    const seen = reloadLines().length;
    writeFileSync(yamlPath, yaml);
    server.child.kill('SIGHUP');
    await waitFor(() => reloadLines().length > seen, 'the reload log line');
    return reloadLines()[seen]!;
  }

  before(async () => {
    [a, b] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
    dir = mkdtempSync(join(tmpdir(), 'sb-reload-'));
    yamlPath = join(dir, 'switchboard.yaml');
    writeFileSync(yamlPath, yamlBefore(a));
    server = await spawnServer({ SWITCHBOARD_CONFIG: yamlPath, SWITCHBOARD_DATABASE_URL: join(dir, 'sb.db') });
  });
  after(async () => {
    server.child.kill('SIGKILL');
    await Promise.all([a.close(), b.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('should name the routed models without a price once at start', () => {
    const lines = server.logs.filter((l) => String(l.msg).startsWith('models without a price'));
    assert.deepEqual(
      lines.map((l) => [l.level, l.models]),
      [[40, ['old-route']]],
    );
  });

  it('should apply new keys, prices and routes, and finish a stream started before', async () => {
    await client(KEPT).chat.completions.create({ model: 'gpt-new', messages: question });
    await client(KEPT).chat.completions.create({ model: 'gpt-new', messages: question });
    const handle = controlledStream();
    a.enqueue('/v1/chat/completions', { type: 'controlled', handle });
    const stream = await client(KEPT).chat.completions.create({ model: 'old-route', messages: question, stream: true });
    const chunks = chatChunks({ content: ['Par', 'is', '.'] });
    handle.write(chunks[0]);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();

    const line = await reload(yamlAfter(a, b));
    assert.equal(line.msg, 'reloaded: prices +1 ~0 -0; routes +1 ~0 -0; aliases +0 ~0 -0; providers +1 ~1 -0; keys +0 -1; budgets +0 ~0 -0');

    for (const c of chunks.slice(1)) handle.write(c);
    handle.end();
    let text = '';
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) text += r.value.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Paris.', 'the stream in flight finished on the provider it started with');

    const answer = await client(KEPT).chat.completions.create({ model: 'routed-b', messages: question });
    assert.equal(answer.choices[0]!.message.role, 'assistant');
    assert.deepEqual(
      b.calls.filter((c) => c.path === '/v1/chat/completions').map((c) => c.body.model),
      ['upstream-b'],
    );
    await assert.rejects(client(GONE).models.list(), (err: unknown) => err instanceof OpenAI.AuthenticationError && err.status === 401);

    // Two calls before the reload cost 0 (no price then); one after costs 10 input and 7 output tokens at 3 and 5 per 1M.
    await client(KEPT).chat.completions.create({ model: 'gpt-new', messages: question });
    const cost = await until(
      () => costOfLine(client(KEPT), 'gpt-new'),
      (v) => v > 0,
    );
    assert.ok(Math.abs(cost - (10 * 3 + 7 * 5) / 1e6) < 1e-12, `cost ${cost}`);
    const warnings = server.logs.filter((l) => String(l.msg).startsWith("usage: the model 'gpt-new' has no price"));
    assert.equal(warnings.length, 1, 'warned once, not per request');
  });

  it('should refuse a YAML that fails validation and keep the configuration in force', async () => {
    const line = await reload(yamlAfter(a, b).replace('gpt-new: { input: 3, output: 5 }', 'gpt-new: { input: -3, output: 5 }'));
    assert.equal(line.level, 50);
    assert.match(String(line.msg), /^reload refused, the configuration in force stays: .*prices\.gpt-new\.input/);
    assert.equal(server.child.exitCode, null, 'the process is alive');
    const before = b.calls.length;
    await client(KEPT).chat.completions.create({ model: 'routed-b', messages: question });
    assert.equal(b.calls.length, before + 1, 'the route stays');
    await assert.rejects(client(GONE).models.list(), OpenAI.AuthenticationError);
  });

  it('should refuse to leave keyed mode without a restart', async () => {
    const line = await reload(yamlAfter(a, b).replace(/keys:\n.*\n/, ''));
    assert.match(String(line.msg), /^reload refused, the configuration in force stays: keys: removing every key \(open mode\) needs a restart/);
    await assert.rejects(client('sk-not-a-key-0003').models.list(), OpenAI.AuthenticationError);
    assert.equal((await client(KEPT).models.list()).data.length > 0, true);
  });
});
