import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../logger.js';
import type { RunStatus } from '../store/tables/runs.table.js';
import { LeaseKeeper } from './lease-keeper.js';

const LEASE = 9_000;
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LeaseKeeper', () => {
  let nowMs: number;
  const keeper = (renew: (ids: string[], untilMs: number) => Promise<Array<{ id: string; status: RunStatus }>>, stopBeforeLapse = true) =>
    new LeaseKeeper({ leaseMs: LEASE, stopBeforeLapse, now: () => nowMs, renew, log: createLogger('silent') });
  /** Moves the mocked clock and timers together, letting renewals settle at each heartbeat. */
  async function advance(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= 1_000) {
      const step = Math.min(1_000, left);
      nowMs += step;
      mock.timers.tick(step);
      await flush();
    }
  }

  beforeEach(() => {
    nowMs = 1_000_000;
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  });
  afterEach(() => mock.timers.reset());

  it('should keep a run going while its renewals succeed', async () => {
    const renewals: number[] = [];
    const k = keeper(async (ids, untilMs) => (renewals.push(untilMs), ids.map((id) => ({ id, status: 'in_progress' }))));
    const controller = new AbortController();
    k.hold('run_a', controller, nowMs);
    await advance(LEASE * 5);
    assert.equal(controller.signal.aborted, false);
    assert.ok(renewals.length >= 14, `renewed every third of the lease (${renewals.length})`);
    k.release('run_a');
  });

  it('should stop a run before its lease lapses when renewals fail', async () => {
    const k = keeper(async () => {
      throw new Error('connection refused');
    });
    const controller = new AbortController();
    const grantedAt = nowMs;
    k.hold('run_a', controller, grantedAt);
    await advance(LEASE / 2);
    assert.equal(controller.signal.aborted, false);
    await advance(LEASE / 2 - 1_000);
    assert.equal(controller.signal.aborted, true, 'stopped while the lease still held');
    assert.equal(controller.signal.reason, 'lease_lost');
    assert.ok(nowMs < grantedAt + LEASE);
    k.release('run_a');
  });

  it('should let a run go on through failed renewals when no one else can claim it (SQLite)', async () => {
    const k = keeper(async () => {
      throw new Error('database is locked');
    }, false);
    const controller = new AbortController();
    k.hold('run_a', controller, nowMs);
    await advance(LEASE * 2);
    assert.equal(controller.signal.aborted, false);
    k.release('run_a');
  });

  it('should stop a run whose lease another worker holds', async () => {
    const k = keeper(async () => []);
    const controller = new AbortController();
    k.hold('run_a', controller, nowMs);
    await advance(LEASE / 3);
    assert.equal(controller.signal.reason, 'lease_lost');
    k.release('run_a');
  });

  it('should stop a run that is being cancelled, with reason cancel', async () => {
    const k = keeper(async (ids) => ids.map((id) => ({ id, status: 'cancelling' as const })));
    const controller = new AbortController();
    k.hold('run_a', controller, nowMs);
    await advance(LEASE / 3);
    assert.equal(controller.signal.reason, 'cancel');
    k.release('run_a');
  });
});
