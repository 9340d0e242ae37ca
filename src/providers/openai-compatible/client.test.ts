import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { startFakeUpstream } from '../../../test/fakes/fake-upstream.js';
import type { FakeUpstream } from '../../../test/fakes/fake-upstream.js';
import { waitFor } from '../../../test/support/until.js';
import type { ProviderConfig } from '../../config.js';
import { createOpenAICompatible } from './client.js';
import type { AbortEmitter } from './client.js';

const CHAT = '/v1/chat/completions';
/** Long enough that nothing else could end the wait: only the abort can, within the same turn of the event loop. */
const LONG_BACKOFF_MS = 3_000;

/** The state of a promise, read without awaiting it. */
function track(p: Promise<unknown>): { state: 'pending' | 'fulfilled' | 'rejected' } {
  const t = { state: 'pending' as 'pending' | 'fulfilled' | 'rejected' };
  p.then(
    () => (t.state = 'fulfilled'),
    () => (t.state = 'rejected'),
  );
  return t;
}

function providerConfig(baseURL: string): ProviderConfig {
  return {
    name: 'fake',
    type: 'openai-compatible',
    base_url: baseURL,
    headers: {},
    timeout_ms: 5_000,
    idle_timeout_ms: 5_000,
    connect_timeout_ms: 1_000,
    max_retries: 2,
    connections: 4,
    models: [],
  };
}

/** What the chat route passes (src/api/client-signal.ts ClientGone): an EventEmitter emitting `abort`, no AbortSignal. */
class GoneEmitter extends EventEmitter implements AbortEmitter {
  aborted = false;
  reason: Error | undefined;
  abort(): void {
    this.aborted = true;
    this.reason = new Error('client disconnected');
    this.emit('abort');
  }
}

describe('createOpenAICompatible retries', () => {
  let fake: FakeUpstream;
  let backoffs = 0;
  const client = () =>
    createOpenAICompatible(providerConfig(fake.url), {
      backoffMs: () => {
        backoffs++;
        return LONG_BACKOFF_MS;
      },
    });

  before(async () => {
    fake = await startFakeUpstream();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    backoffs = 0;
  });

  for (const [kind, make] of [
    ['an abort EventEmitter (a chat client gone)', () => new GoneEmitter()],
    ['an AbortSignal', () => new AbortController()],
  ] as const) {
    it(`should stop backing off and send no retry when ${kind} aborts during the backoff`, async () => {
      const upstream = client();
      const gone = make();
      const signal = gone instanceof AbortController ? gone.signal : gone;
      fake.enqueue(CHAT, { type: 'destroy' });
      const pending = upstream.request({ path: '/chat/completions', body: '{}', signal });
      const settled = track(pending);
      await waitFor(() => backoffs === 1, 'the first backoff');
      gone.abort();
      // The abort's listeners run synchronously and the rejection in microtasks: one macrotask later it has settled.
      await nextMacrotask();
      assert.equal(settled.state, 'rejected', 'the request ends at the abort, not after the backoff');
      await assert.rejects(pending);
      assert.equal(fake.calls.length, 1, 'no retry reached the upstream after the abort');
      await upstream.close();
    });
  }

  it('should retry a connection error after the backoff when nothing aborts', async () => {
    const upstream = createOpenAICompatible(providerConfig(fake.url), { backoffMs: () => 1 });
    fake.enqueue(CHAT, { type: 'destroy' });
    const res = await upstream.request({ path: '/chat/completions', body: '{}', signal: new GoneEmitter() });
    assert.equal(res.statusCode, 200);
    await res.body.text();
    assert.equal(fake.calls.length, 2);
    await upstream.close();
  });
});
