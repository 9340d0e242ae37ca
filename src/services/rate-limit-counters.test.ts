import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCounters } from './rate-limit-counters.js';

describe('MemoryCounters', () => {
  it('should add to each window of a key apart and answer the new values in order', async () => {
    const c = new MemoryCounters();
    assert.deepEqual(await c.add([{ key: 'p\nm\nrpm', windowStart: 60, value: 1 }, { key: 'p\nm\ntpm', windowStart: 60, value: 12 }]), [1, 12]);
    assert.deepEqual(await c.add([{ key: 'p\nm\nrpm', windowStart: 60, value: 1 }, { key: 'p\nm\nrpm', windowStart: 120, value: 1 }]), [2, 1]);
    assert.deepEqual(await c.add([{ key: 'p\nm\ntpm', windowStart: 60, value: -12 }]), [0]);
  });

  it('should forget windows more than a day old once newer ones come', async () => {
    const c = new MemoryCounters();
    await c.add([{ key: 'k', windowStart: 0, value: 5 }]);
    await c.add([{ key: 'k', windowStart: 3 * 86_400, value: 1 }]);
    assert.deepEqual(await c.add([{ key: 'k', windowStart: 0, value: 1 }]), [1]);
  });
});
