import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RunEventQueue } from './run-event-queue.js';
import { createRunEventBus, type RunEvent } from './run-events.js';

const text = (t: string): RunEvent => ({ type: 'message.text', messageId: 'msg_1', part: 0, text: t, annotations: [] });
const labels = (batch: RunEvent[]): string[] => batch.map((e) => (e.type === 'message.text' ? e.text : e.type));

describe('RunEventQueue.arrival', () => {
  it('should resolve true as soon as an event comes, and the next batch hold it', async () => {
    const bus = createRunEventBus();
    const queue = new RunEventQueue(bus);
    queue.subscribe('run_1');
    const batches = queue.batches();
    bus.publish('run_1', text('a'));
    assert.deepEqual(labels((await batches.next()).value as RunEvent[]), ['a']);
    // A wait far longer than any test: only the event can end it.
    const arrived = queue.arrival(60_000);
    bus.publish('run_1', text('b'));
    bus.publish('run_1', text('c'));
    assert.equal(await arrived, true);
    assert.deepEqual(labels((await batches.next()).value as RunEvent[]), ['b', 'c']);
    queue.close();
  });

  it('should resolve false when nothing came within the wait, and at once when events are already waiting', async () => {
    const bus = createRunEventBus();
    const queue = new RunEventQueue(bus);
    queue.subscribe('run_1');
    assert.equal(await queue.arrival(1), false);
    bus.publish('run_1', text('a'));
    assert.equal(await queue.arrival(60_000), true);
    queue.close();
    assert.equal(await queue.arrival(60_000), true);
  });
});
