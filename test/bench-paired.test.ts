import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baseFirst, pairedVerdict } from '../bench/support/paired.js';

describe('bench paired comparison', () => {
  it('should run the pairs in ABBA order', () => {
    assert.deepEqual([0, 1, 2, 3].map(baseFirst), [true, false, true, false]);
  });

  it('should judge on the median of the per-pair ratios, leaving out pairs where a side served nothing', () => {
    const side = (rps: number, cpuUs: number) => ({ rps, cpuUs });
    const v = pairedVerdict([
      { base: side(1000, 100), other: side(900, 110) },
      { base: side(500, 200), other: side(490, 210) },
      { base: side(2000, 50), other: side(1980, 51) },
      { base: side(0, NaN), other: side(100, 100) },
    ]);
    assert.deepEqual(v.losses.map((x) => Math.round(x * 1000)), [100, 20, 10]);
    assert.equal(Math.round(v.rpsLost * 1000), 20);
    assert.equal(Math.round(v.cpuMore * 1000), 50);
  });
});
