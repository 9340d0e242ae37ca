import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCounters, WindowCell } from './rate-limit-counters.js';

describe('MemoryCounters', () => {
  it('should add to each key apart and answer the new values in order', async () => {
    const c = new MemoryCounters();
    assert.deepEqual(await c.add([{ key: 'p\nm\nrpm', windowStart: 60, value: 1 }, { key: 'p\nm\ntpm', windowStart: 60, value: 12 }]), [1, 12]);
    assert.deepEqual(await c.add([{ key: 'p\nm\nrpm', windowStart: 60, value: 1 }, { key: 'p\nm\nrpm', windowStart: 120, value: 1 }]), [2, 1]);
    assert.deepEqual(await c.add([{ key: 'p\nm\ntpm', windowStart: 60, value: -12 }]), [0]);
  });

  it('should hand out one cell per key, the one add() counts in', () => {
    const c = new MemoryCounters();
    assert.equal(c.cell('k'), c.cell('k'));
    c.cell('k').add(60, 3);
    assert.deepEqual(c.add([{ key: 'k', windowStart: 60, value: 1 }]), [4]);
  });
});

describe('WindowCell', () => {
  it('should start a newer window afresh and leave an older one alone (it admits nothing any more)', () => {
    const cell = new WindowCell();
    assert.equal(cell.add(60, 5), 5);
    assert.equal(cell.add(60, 2), 7);
    assert.equal(cell.add(120, 1), 1, 'a new minute starts at 0');
    assert.equal(cell.add(60, -7), 0, 'giving back to the minute that ended');
    assert.equal(cell.add(120, 0), 1, 'does not touch the current one');
  });
});
