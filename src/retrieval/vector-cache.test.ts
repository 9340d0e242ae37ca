import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VectorCache, nearest, type VectorSource } from './vector-cache.js';

const bytes = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

/** A store of 2-d vectors whose contents the test changes; records what was loaded. */
function fakeSource(rows: Map<number, number[]>) {
  const loaded: number[][] = [];
  let version = 0;
  const source: VectorSource = {
    dims: 2,
    stamp: async () => String(version),
    ids: async () => [...rows.keys()].sort((a, b) => a - b),
    load: async (ids) => {
      loaded.push(ids);
      return new Map(ids.filter((id) => rows.has(id)).map((id) => [id, bytes(...rows.get(id)!)]));
    },
  };
  return { source, loaded, bump: () => version++ };
}

describe('VectorCache', () => {
  it('should load a store once while its stamp is unchanged', async () => {
    const { source, loaded } = fakeSource(new Map([[1, [3, 4]]]));
    const cache = new VectorCache();
    const first = await cache.get('s', source);
    assert.equal(await cache.get('s', source), first);
    assert.deepEqual(loaded, [[1]]);
    assert.deepEqual([...first.matrix], [0.6000000238418579, 0.800000011920929]); // unit length
  });

  it('should fetch only new ids and drop deleted ones when the stamp changes', async () => {
    const rows = new Map([
      [1, [1, 0]],
      [2, [0, 1]],
    ]);
    const { source, loaded, bump } = fakeSource(rows);
    const cache = new VectorCache();
    await cache.get('s', source);
    rows.delete(1);
    rows.set(3, [1, 1]);
    bump();
    const vectors = await cache.get('s', source);
    assert.deepEqual(loaded, [[1, 2], [3]]);
    assert.deepEqual([...vectors.ids], [2, 3]);
  });

  it('should evict the least recently used store beyond its float budget', async () => {
    const a = fakeSource(new Map([[1, [1, 0]]]));
    const b = fakeSource(new Map([[2, [0, 1]]]));
    const cache = new VectorCache(2); // room for one 2-d vector
    await cache.get('a', a.source);
    await cache.get('b', b.source);
    await cache.get('a', a.source);
    assert.equal(a.loaded.length, 2);
    assert.equal(b.loaded.length, 1);
  });
});

describe('nearest', () => {
  it('should return the k most similar rows by cosine, best first', () => {
    const vectors = { dims: 2, ids: Float64Array.from([10, 20, 30]), matrix: Float32Array.from([1, 0, 0, 1, -1, 0]) };
    const top = nearest(vectors, Float32Array.from([2, 1]), 2);
    assert.deepEqual(
      top.map((t) => t.id),
      [10, 20],
    );
    assert.ok(Math.abs(top[0]!.score - 2 / Math.sqrt(5)) < 1e-6);
    assert.deepEqual(nearest(vectors, Float32Array.from([1, 0, 0]), 2), []);
  });
});
