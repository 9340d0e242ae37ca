import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { LocalModelConfig } from '../../config.js';
import { ApiError } from '../../errors.js';
import { tinyModelPath } from '../../../test/support/tiny-model.js';
import { until } from '../../../test/support/until.js';
import { LocalModelHost } from './local-model-host.js';
import { acquireLlama, loadNodeLlamaCpp } from './runtime.js';

const noop = () => {};
const log = { debug: noop, info: noop, warn: noop, error: noop };

describe('LocalModelHost', () => {
  let runtime: ReturnType<typeof acquireLlama>;
  const hosts: LocalModelHost[] = [];

  function host(config: Partial<LocalModelConfig> = {}): LocalModelHost {
    const h = new LocalModelHost({
      config: {
        id: 'tiny',
        path: tinyModelPath(),
        contextSize: 256,
        threads: 1,
        gpuLayers: 0,
        parallel: 2,
        load: 'lazy',
        idleUnloadMs: 0,
        ...config,
      },
      runtime: () => loadNodeLlamaCpp(),
      llama: () => runtime.llama,
      log,
    });
    hosts.push(h);
    return h;
  }

  /** Resolves with whether `p` settled within a few turns of the event loop. */
  async function settles(p: Promise<unknown>): Promise<boolean> {
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 5; i++) await tick();
    return settled;
  }

  before(() => {
    runtime = acquireLlama(log);
  });
  after(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
    await runtime.release();
  });

  it('should load on first use, not before', async () => {
    const h = host();
    assert.equal(h.isLoaded, false);
    const session = await h.open();
    assert.equal(h.isLoaded, true);
    assert.equal(session.loaded.context.contextSize >= 256, true);
    session.close();
  });

  it('should hand out `parallel` sequences at once and queue the rest in order', async () => {
    const h = host({ parallel: 2 });
    const [a, b, c, d] = await Promise.all([h.open(), h.open(), h.open(), h.open()]);
    const sa = await a!.acquireSequence([]);
    const sb = await b!.acquireSequence([]);
    assert.notEqual(sa, sb);
    const third = c!.acquireSequence([]);
    const fourth = d!.acquireSequence([]);
    assert.equal(await settles(third), false, 'the third waits while both sequences are taken');
    a!.close();
    assert.equal(await third, sa, 'the released sequence goes to the first in line');
    assert.equal(await settles(fourth), false);
    b!.close();
    assert.equal(await fourth, sb);
    c!.close();
    d!.close();
  });

  it('should drop a waiter whose signal aborts, and give the next release to the one behind it', async () => {
    const h = host({ parallel: 1 });
    const [a, b, c] = await Promise.all([h.open(), h.open(), h.open()]);
    await a!.acquireSequence([]);
    const gone = new AbortController();
    const abandoned = b!.acquireSequence([], gone.signal);
    const waiting = c!.acquireSequence([]);
    gone.abort(new Error('client left'));
    await assert.rejects(abandoned, /client left/);
    a!.close();
    assert.ok(await waiting);
    b!.close();
    c!.close();
  });

  it('should prefer the free sequence that already holds the longest prefix of the prompt', async () => {
    const h = host({ parallel: 2 });
    const s = await h.open();
    const tokens = s.loaded.model.tokenize('The quick brown fox jumps over the lazy dog');
    const seq = await s.acquireSequence([]);
    await seq.evaluateWithoutGeneratingNewTokens(tokens);
    s.close();
    const again = await h.open();
    assert.equal(await again.acquireSequence(tokens), seq);
    again.close();
  });

  it('should unload after the idle time and load again on the next request', async () => {
    const h = host({ idleUnloadMs: 20 });
    (await h.open()).close();
    assert.equal(await until(async () => h.isLoaded, (loaded) => !loaded, 10_000), false);
    const session = await h.open();
    assert.equal(h.isLoaded, true);
    session.close();
  });

  it('should answer 503 local_model_unavailable for a missing file', async () => {
    const h = host({ path: '/nonexistent/model.gguf' });
    await assert.rejects(h.open(), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 503);
      assert.equal(err.code, 'local_model_unavailable');
      assert.match(err.message, /switchboard pull/);
      return true;
    });
  });

  it('should reject waiters when disposed', async () => {
    const h = host({ parallel: 1 });
    const [a, b] = await Promise.all([h.open(), h.open()]);
    await a!.acquireSequence([]);
    const waiting = assert.rejects(b!.acquireSequence([]), (err: unknown) => err instanceof ApiError && err.status === 503);
    await h.dispose();
    await waiting;
    await assert.rejects(h.open(), (err: unknown) => err instanceof ApiError && err.status === 503);
  });
});
