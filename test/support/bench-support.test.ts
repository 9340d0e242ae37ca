import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foreignShare, ticksOf, type CpuMark } from '../../bench/support/cpu.js';
import { envInt } from '../../bench/support/env.js';
import { median, percentile } from '../../bench/support/stats.js';

const mark = (total: number, busy: number, ours: Record<number, number>): CpuMark => ({
  total,
  busy,
  ours: new Map(Object.entries(ours).map(([pid, ticks]) => [Number(pid), ticks])),
});

describe('bench support', () => {
  it('percentile is the nearest rank, median the middle', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.deepEqual([0, 10, 50, 51, 99, 100].map((p) => percentile(sorted, p)), [1, 1, 5, 6, 10, 10]);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('envInt reads a whole number, its default when unset, and refuses one below its minimum', () => {
    const name = 'SWITCHBOARD_TEST_BENCH_KNOB';
    delete process.env[name];
    assert.equal(envInt(name, 7), 7);
    process.env[name] = '';
    assert.equal(envInt(name, 7), 7);
    process.env[name] = '2.6';
    assert.equal(envInt(name, 7), 3);
    process.env[name] = '0';
    assert.equal(envInt(name, 7, 0), 0);
    assert.throws(() => envInt(name, 7), /SWITCHBOARD_TEST_BENCH_KNOB must be a number ≥ 1, got '0'/);
    process.env[name] = 'many';
    assert.throws(() => envInt(name, 7), /got 'many'/);
    delete process.env[name];
  });

  it('foreignShare is the busy time our processes did not use, per process', () => {
    // 200 ticks passed, 120 of them busy; pid 1 used 30, pid 2 started meanwhile and used 10, pid 3 exited.
    const a = mark(1000, 500, { 1: 100, 3: 50 });
    const b = mark(1200, 620, { 1: 130, 2: 10 });
    assert.equal(foreignShare(a, b), (120 - 40) / 200);
    assert.equal(foreignShare(a, mark(1200, 520, { 1: 130 })), 0); // clamped at 0
    assert.equal(foreignShare(undefined, b), undefined);
    assert.equal(foreignShare(b, a), undefined);
    assert.equal(ticksOf(b, [1, 2, 2, 9]), 140);
  });
});
