import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  forgetRecent,
  keyHash,
  parseIdInput,
  readRecent,
  RECENT_MAX,
  recentStorageKey,
  rememberRecent,
  type KeyValueStorage,
} from '../../console/src/lib/recent-ids.js';

function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('recent ids', () => {
  it('should key the list by a hash that differs per key and never contains it', async () => {
    const a = await keyHash('sk-test-tenant-a-0001');
    const b = await keyHash('sk-test-tenant-b-0002');
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.notEqual(a, b);
    assert.equal(recentStorageKey('threads', a), `switchboard.recent.threads.${a}`);
  });

  it('should move a reopened id to the front and cap the list', () => {
    const storage = memoryStorage();
    const key = 'k';
    for (let i = 0; i < RECENT_MAX + 5; i++) rememberRecent({ storage, key, id: `thread_${i}`, now: i });
    const list = rememberRecent({ storage, key, id: 'thread_10', now: 1000 });
    assert.equal(list.length, RECENT_MAX);
    assert.deepEqual(list[0], { id: 'thread_10', at: 1000 });
    assert.equal(list.filter((e) => e.id === 'thread_10').length, 1);
    assert.deepEqual(readRecent(storage, key), list);
  });

  it('should read a corrupt value as empty and forget ids', () => {
    assert.deepEqual(readRecent(memoryStorage({ k: '{nope' }), 'k'), []);
    assert.deepEqual(readRecent(memoryStorage({ k: '[{"id":1},{"id":"a","at":2}]' }), 'k'), [{ id: 'a', at: 2 }]);
    const storage = memoryStorage({ k: '[{"id":"a","at":1},{"id":"b","at":2}]' });
    assert.deepEqual(forgetRecent(storage, 'k', 'a'), [{ id: 'b', at: 2 }]);
  });

  it('should accept only ids of the expected kind', () => {
    assert.equal(parseIdInput('  thread_abc123 ', 'thread_'), 'thread_abc123');
    assert.equal(parseIdInput('resp_abc', 'thread_'), undefined);
    assert.equal(parseIdInput('thread_a b', 'thread_'), undefined);
  });
});
