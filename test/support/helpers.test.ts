import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { rejectsWith } from './api-errors.js';
import { testClock } from './test-clock.js';
import { until, waitFor } from './until.js';

/** An SDK error as the client raises it for an OpenAI-shaped error body. */
function apiError(status: number, error: { message: string; type: string; param: string | null; code: string | null }) {
  return OpenAI.APIError.generate(status, { error }, undefined, new Headers());
}

const notFound = { message: "No thread found with id 'thread_x'.", type: 'invalid_request_error', param: null, code: null };

describe('test helpers', () => {
  it('rejectsWith accepts the error it describes', async () => {
    await rejectsWith(Promise.reject(apiError(404, notFound)), { status: 404, param: null, code: null, message: notFound.message });
    await rejectsWith(Promise.reject(apiError(400, { ...notFound, param: 'role' })), { param: 'role', messageIncludes: 'thread_x' });
    await rejectsWith(Promise.reject(apiError(404, { ...notFound, param: 'thread_id' })), { status: 404 }); // param not checked
  });

  it('rejectsWith fails on another status, param, code, type or message', async () => {
    const wrong = [
      [apiError(404, notFound), { param: null }],
      [apiError(404, notFound), { status: 404, param: 'role' }],
      [apiError(404, notFound), { status: 404, param: null, code: 'x' }],
      [apiError(404, { ...notFound, type: 'server_error' }), { status: 404, param: null }],
      [apiError(404, notFound), { status: 404, param: null, message: 'No thread.' }],
      [apiError(404, notFound), { status: 404, param: null, messageIncludes: 'message_x' }],
      [new Error('not an API error'), { param: null }],
    ] as const;
    for (const [err, want] of wrong) await assert.rejects(rejectsWith(Promise.reject(err), want), assert.AssertionError);
    await assert.rejects(rejectsWith(Promise.resolve(), { param: null }), assert.AssertionError);
  });

  it('until returns the first value that holds, or the last one at the deadline', async () => {
    let n = 0;
    assert.equal(await until(() => ++n, (v) => v >= 3), 3);
    assert.equal(await until(async () => 'never', (v) => v === 'done', 50), 'never');
  });

  it('waitFor fails naming what it waited for', async () => {
    await waitFor(() => true, 'nothing');
    await assert.rejects(waitFor(() => false, 'the moon', 50), /timed out waiting for the moon/);
  });

  it('testClock jumps forward', () => {
    const clock = testClock();
    const before = clock.now();
    clock.advance(60_000);
    assert.ok(clock.now() - before >= 60_000);
  });
});
