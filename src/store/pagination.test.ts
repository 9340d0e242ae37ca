import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { paginate, type ListQuery, type SeqWindow } from './pagination.js';

/** Seven objects o1..o7 with seq 10..70 (creation order), and a fetch that behaves like a repo's list query. */
const items = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ id: `o${n}`, seq: n * 10 }));

function list(query: Partial<ListQuery>, source = items) {
  const windows: SeqWindow[] = [];
  const result = paginate({
    query: { limit: 20, order: 'desc', ...query },
    fetch: async (w) => {
      windows.push(w);
      const inRange = source.filter(
        (i) => w.bound === undefined || (w.direction === 'asc' ? i.seq > w.bound : i.seq < w.bound),
      );
      const sorted = [...inRange].sort((a, b) => (w.direction === 'asc' ? a.seq - b.seq : b.seq - a.seq));
      return sorted.slice(0, w.limit);
    },
    seqOf: async (id) => source.find((i) => i.id === id)?.seq,
  });
  return result.then(({ rows, hasMore }) => ({ ids: rows.map((r) => r.id), hasMore, windows }));
}

describe('paginate', () => {
  it('should list newest first by default and read one row more than the limit', async () => {
    const page = await list({ limit: 3 });
    assert.deepEqual(page.ids, ['o7', 'o6', 'o5']);
    assert.equal(page.hasMore, true);
    assert.deepEqual(page.windows, [{ direction: 'desc', bound: undefined, limit: 4 }]);
  });

  it('should list oldest first with order asc', async () => {
    assert.deepEqual(await list({ limit: 3, order: 'asc' }).then((p) => [p.ids, p.hasMore]), [['o1', 'o2', 'o3'], true]);
  });

  it('should report has_more false when the limit equals the number of objects left', async () => {
    assert.deepEqual((await list({ limit: 7 })).hasMore, false);
    assert.deepEqual((await list({ limit: 6 })).hasMore, true);
    assert.deepEqual((await list({ limit: 8 })).hasMore, false);
  });

  it('should continue after the cursor in desc order', async () => {
    assert.deepEqual(await list({ limit: 3, after: 'o5' }).then((p) => [p.ids, p.hasMore]), [['o4', 'o3', 'o2'], true]);
    assert.deepEqual(await list({ limit: 3, after: 'o4' }).then((p) => [p.ids, p.hasMore]), [['o3', 'o2', 'o1'], false]);
    assert.deepEqual(await list({ limit: 3, after: 'o1' }).then((p) => [p.ids, p.hasMore]), [[], false]);
  });

  it('should continue after the cursor in asc order', async () => {
    assert.deepEqual(
      await list({ limit: 3, order: 'asc', after: 'o3' }).then((p) => [p.ids, p.hasMore]),
      [['o4', 'o5', 'o6'], true],
    );
    assert.deepEqual(
      await list({ limit: 3, order: 'asc', after: 'o4' }).then((p) => [p.ids, p.hasMore]),
      [['o5', 'o6', 'o7'], false],
    );
  });

  it('should return the objects just before the cursor, in list order, with before (desc)', async () => {
    const page = await list({ limit: 2, before: 'o3' });
    assert.deepEqual(page.ids, ['o5', 'o4']);
    assert.equal(page.hasMore, true);
    assert.deepEqual(page.windows, [{ direction: 'asc', bound: 30, limit: 3 }]);
    assert.deepEqual(await list({ limit: 2, before: 'o5' }).then((p) => [p.ids, p.hasMore]), [['o7', 'o6'], false]);
  });

  it('should return the objects just before the cursor, in list order, with before (asc)', async () => {
    assert.deepEqual(
      await list({ limit: 2, order: 'asc', before: 'o5' }).then((p) => [p.ids, p.hasMore]),
      [['o3', 'o4'], true],
    );
    assert.deepEqual(
      await list({ limit: 2, order: 'asc', before: 'o3' }).then((p) => [p.ids, p.hasMore]),
      [['o1', 'o2'], false],
    );
    assert.deepEqual(await list({ order: 'asc', before: 'o1' }).then((p) => [p.ids, p.hasMore]), [[], false]);
  });

  it('should walk every object exactly once when following after = last id', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await list({ limit: 2, order, after });
        seen.push(...page.ids);
        if (!page.hasMore) break;
        after = page.ids.at(-1);
      }
      const expected = items.map((i) => i.id);
      assert.deepEqual(seen, order === 'asc' ? expected : expected.reverse());
    }
  });

  it('should answer an empty list with no more pages', async () => {
    assert.deepEqual(await list({ limit: 1 }, []).then((p) => [p.ids, p.hasMore]), [[], false]);
  });

  it('should reject an unknown after cursor with 400 param after', async () => {
    await assert.rejects(list({ after: 'nope' }), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 400);
      assert.equal(err.param, 'after');
      assert.match(err.message, /nope/);
      return true;
    });
  });

  it('should reject an unknown before cursor with 400 param before', async () => {
    await assert.rejects(list({ before: 'nope' }), (err: unknown) => err instanceof ApiError && err.param === 'before');
  });
});
