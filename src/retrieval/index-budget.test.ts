import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Db } from '../store/database.js';
import { IndexBudget, indexBudget, limitIndexMemory, type BudgetEntry } from './index-budget.js';
import { IndexRegistry } from './index-registry.js';
import { KeywordIndex } from './keyword-index.js';

/** An index of a settable size that records its eviction. */
function entry(name: string, size: number, evicted: string[]): BudgetEntry & { size: number } {
  return {
    size,
    bytes() {
      return this.size;
    },
    evict: () => void evicted.push(name),
  };
}

describe('IndexBudget', () => {
  it('should evict the least recently used indexes first, down to the cap', () => {
    const evicted: string[] = [];
    const budget = new IndexBudget({ maxBytes: 300, minIdleMs: 0 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => entry(n, 100, evicted));
    for (const e of [a, b, c]) budget.use(e!);
    assert.deepEqual(evicted, []);
    budget.use(a!); // a is now the most recent: b is the oldest
    budget.use(d!);
    assert.deepEqual(evicted, ['b']);
    budget.use(entry('e', 250, evicted));
    assert.deepEqual(evicted, ['b', 'c', 'a', 'd']);
    assert.equal(budget.size, 1);
    assert.equal(budget.totalBytes, 250);
  });

  it('should count an index at its size when last used, and keep the one in use even past the cap', () => {
    const evicted: string[] = [];
    const budget = new IndexBudget({ maxBytes: 1_000, minIdleMs: 0 });
    const a = entry('a', 100, evicted);
    const b = entry('b', 200, evicted);
    budget.use(a);
    budget.use(b);
    assert.equal(budget.totalBytes, 300);
    a.size = 700; // built meanwhile: counted anew when next used
    assert.equal(budget.totalBytes, 300);
    budget.use(a);
    assert.equal(budget.totalBytes, 900);
    b.size = 5_000;
    budget.use(b); // over the cap: a (the older) goes, b (in use) stays alone
    assert.deepEqual(evicted, ['a']);
    assert.equal(budget.totalBytes, 5_000);
    budget.use(b);
    assert.deepEqual(evicted, ['a']);
  });

  it('should not evict an index used within minIdleMs, so two stores in use do not take turns rebuilding', () => {
    const evicted: string[] = [];
    let now = 0;
    const budget = new IndexBudget({ maxBytes: 100, minIdleMs: 60_000, now: () => now });
    const [a, b, c] = ['a', 'b', 'c'].map((n) => entry(n, 100, evicted));
    budget.use(a!);
    now = 30_000;
    budget.use(b!); // 200 > 100, but a was used 30 s ago: both stay
    assert.deepEqual(evicted, []);
    assert.equal(budget.totalBytes, 200);
    now = 70_000;
    budget.use(c!); // a idle 70 s: evicted; b idle 40 s: stays
    assert.deepEqual(evicted, ['a']);
    now = 100_000;
    budget.use(c!); // b idle 70 s now
    assert.deepEqual(evicted, ['a', 'b']);
    assert.equal(budget.totalBytes, 100);
  });
});

describe('IndexRegistry eviction', () => {
  class FakeIndex {
    disposed = false;
    constructor(
      readonly name: string,
      public bytes: number,
    ) {}
    dispose(): void {
      this.disposed = true;
    }
  }

  it('should drop and dispose an evicted index, share the budget between kinds, and make a new one on next use', () => {
    const db = {} as Db;
    limitIndexMemory(db, 250, { minIdleMs: 0 });
    const ann = new IndexRegistry<object, FakeIndex>({});
    const keyword = new IndexRegistry<object, FakeIndex>({});
    const first = ann.get(db, 'vs_1', () => new FakeIndex('ann vs_1', 100));
    keyword.get(db, 'vs_1', () => new FakeIndex('keyword vs_1', 100));
    assert.equal(ann.get(db, 'vs_1', () => new FakeIndex('never', 0)), first, 'a use does not remake it');
    keyword.get(db, 'vs_2', () => new FakeIndex('keyword vs_2', 100)); // 300 > 250: the keyword index of vs_1 goes
    assert.deepEqual(keyword.stores(db).map((s) => s.name), ['keyword vs_2']);
    assert.deepEqual(ann.stores(db).map((s) => s.name), ['ann vs_1']);
    assert.equal(indexBudget(db).totalBytes, 200);
    const again = keyword.get(db, 'vs_1', () => new FakeIndex('keyword vs_1 again', 100)); // ann vs_1 is now the oldest
    assert.equal(again.name, 'keyword vs_1 again');
    assert.equal(first.disposed, true);
    assert.deepEqual(ann.stores(db), []);
    assert.deepEqual(keyword.stores(db).map((s) => s.name).sort(), ['keyword vs_1 again', 'keyword vs_2']);
  });
});

describe('KeywordIndex bytes', () => {
  it('should keep its O(1) size equal to the sizes of its lists counted one by one', () => {
    const index = new KeywordIndex();
    const lexemes = Array.from({ length: 300 }, (_, i) => `w${i}`);
    for (let id = 1; id <= 2_000; id++) {
      const own = lexemes.filter((_, i) => (id * 7 + i * 13) % (i + 2) === 0).slice(0, 40);
      index.add({ id, fileId: `file-${id % 5}`, chunkIndex: id, lexemes: own, counts: own.map((_, i) => 1 + (i % 3)), positions: own.length * 2 });
      if (id % 500 === 0) assert.equal(index.bytes, index.countBytes());
    }
    index.remove(7);
    index.trim();
    assert.equal(index.bytes, index.countBytes());
  });
});
