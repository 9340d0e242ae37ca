import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../test/support/prng.js';
import { AnnIndex, DEFAULT_ANN_PARAMS } from './ann-index.js';
import { normalize } from './vector-cache.js';

const DIMS = 16;
const rand = mulberry32(21);
const unit = () => normalize(Float32Array.from({ length: DIMS }, () => rand() * 2 - 1));

function filled(n: number, threads: number): { index: AnnIndex; vectors: Float32Array[] } {
  const vectors = Array.from({ length: n }, unit);
  const matrix = new Float32Array(n * DIMS);
  vectors.forEach((v, i) => matrix.set(v, i * DIMS));
  const index = new AnnIndex(DIMS);
  index.add(Array.from({ length: n }, (_, i) => i + 1), matrix, threads);
  return { index, vectors };
}

describe('AnnIndex', () => {
  it('should link a batch on several threads and find each vector as its own nearest', () => {
    const { index, vectors } = filled(300, 2);
    assert.equal(index.size, 300);
    for (const i of [0, 99, 299]) assert.equal(index.search(vectors[i]!, 1)[0]!.id, i + 1);
  });

  it('should answer the same after save and load', () => {
    const { index } = filled(200, 1);
    const dir = mkdtempSync(join(os.tmpdir(), 'sb-ann-index-'));
    try {
      index.save(join(dir, 'i.usearch'));
      const loaded = new AnnIndex(DIMS, { ...DEFAULT_ANN_PARAMS, expansionSearch: 64 });
      loaded.load(join(dir, 'i.usearch'));
      const q = unit();
      assert.equal(loaded.size, 200);
      assert.deepEqual(loaded.search(q, 5).map((h) => h.id), index.search(q, 5).map((h) => h.id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
