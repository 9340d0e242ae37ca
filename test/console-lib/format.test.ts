import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, formatTime, formatUsd } from '../../console/src/lib/format.js';

describe('console formatters', () => {
  it('should format durations, money, sizes and times', () => {
    assert.deepEqual(
      [formatDuration(10, 10), formatDuration(10, 52), formatDuration(0, 185), formatDuration(0, 7260), formatDuration(5, null)],
      ['0 s', '42 s', '3 min 5 s', '2 h 1 min', '—'],
    );
    assert.deepEqual([formatUsd(0), formatUsd(12.345), formatUsd(0.00123)], ['$0.00', '$12.35', '$0.00123']);
    assert.deepEqual([formatBytes(512), formatBytes(1536)], ['512 B', '1.5 KB']);
    assert.equal(formatTime(1_796_428_800), '2026-12-05 00:00:00');
  });
});
