import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

// One timeout rule (src/failures.ts): an upstream that stops answering is 504, whether it never sent
// its headers (timeout_ms) or went silent inside its body (idle_timeout_ms).

describe('upstream timeouts inside an answer', () => {
  let fake: FakeUpstream;
  let app: TestApp;

  before(async () => {
    fake = await startFakeUpstream();
    app = await createTestApp({ yaml: `providers:\n  slow:\n    base_url: ${fake.url}\n    idle_timeout_ms: 300\n` });
  });
  after(async () => {
    await app.close();
    await fake.close();
  });

  it('should answer 504 when an embeddings body stops arriving', async () => {
    const handle = controlledStream();
    fake.enqueue('/v1/embeddings', { type: 'controlled', handle });
    const err = await app.client().embeddings.create({ model: 'text-embedding-3-small', input: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.APIError);
    assert.equal(err.status, 504);
    assert.equal(err.code, 'upstream_timeout');
    assert.match(err.message, /idle_timeout_ms/);
    await handle.aborted;
  });

  it('should answer 504 when a chat completion body stops arriving', async () => {
    const handle = controlledStream();
    fake.enqueue('/v1/chat/completions', { type: 'controlled', handle });
    const err = await app
      .client()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.APIError);
    assert.equal(err.status, 504);
    assert.equal(err.code, 'upstream_timeout');
    assert.match(err.message, /idle_timeout_ms/);
    await handle.aborted;
  });
});
