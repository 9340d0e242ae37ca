import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_POLL_MS, MIN_POLL_MS, PollHint } from './poll-hint.js';

describe('PollHint', () => {
  it('should hint the longest interval before any run was timed', () => {
    assert.equal(new PollHint().ms, MAX_POLL_MS);
  });

  it('should hint half the median of recent runs', () => {
    const hint = new PollHint();
    for (const ms of [80, 100, 120, 5000, 90]) hint.record(ms);
    assert.equal(hint.ms, 50);
  });

  it('should keep within its bounds', () => {
    const fast = new PollHint();
    fast.record(3);
    assert.equal(fast.ms, MIN_POLL_MS);
    const slow = new PollHint();
    slow.record(4000);
    assert.equal(slow.ms, MAX_POLL_MS);
  });

  it('should forget all but the last 32 runs', () => {
    const hint = new PollHint();
    for (let i = 0; i < 32; i++) hint.record(5000);
    for (let i = 0; i < 32; i++) hint.record(60);
    assert.equal(hint.ms, 30);
  });
});
