// The nearest-neighbour indexes of this process: one AnnStore per (database, tenant, vector store, dimensions).
import type { Db } from '../store/database.js';
import { findChunkRefs } from '../store/repos/chunks.repo.js';
import { AnnStore, DEFAULT_ANN_STORE_OPTIONS, type AnnStoreOptions } from './ann-store.js';
import { IndexRegistry } from './index-registry.js';
import type { RankedChunk, SearchScope } from './types.js';

const registry = new IndexRegistry<AnnStoreOptions, AnnStore>(DEFAULT_ANN_STORE_OPTIONS);

/** Overrides the index options of this database's stores (tests, benchmarks); call before the first search. */
export function configureAnn(db: Db, options: Partial<AnnStoreOptions>): void {
  registry.configure(db, options);
}

/** This process's index of one store of the tenant, created (empty, unbuilt) on first use. */
export function annStoreFor(db: Db, scope: { tenantId: string; vectorStoreId: string; dims: number }): AnnStore {
  const key = `${scope.tenantId}\u0000${scope.vectorStoreId}\u0000${scope.dims}`;
  return registry.get(db, key, (options) => new AnnStore(scope, options));
}

/** This process's indexes of the database and what each holds (tests, metrics). */
export function annStats(db: Db): Array<{ vectorStoreId: string; dims: number } & AnnStore['stats']> {
  return registry.stores(db).map((store) => ({ vectorStoreId: store.scope.vectorStoreId, dims: store.scope.dims, ...store.stats }));
}

/**
 * The nearest chunks of the stores whose index answers, best first, and the stores the exact scan must answer
 * (not indexed yet, or small). Each hit is checked against the live rows (a chunk deleted meanwhile is dropped).
 */
export async function annVectorSearch(
  db: Db,
  scope: SearchScope & { vector: Float32Array },
): Promise<{ hits: RankedChunk[]; exactStores: string[] }> {
  const dims = scope.vector.length;
  const scored: Array<{ id: number; score: number }> = [];
  const exactStores: string[] = [];
  for (const vectorStoreId of new Set(scope.vectorStoreIds)) {
    const found = await annStoreFor(db, { tenantId: scope.tenantId, vectorStoreId, dims }).search(db, scope.vector, scope.limit);
    if (found) scored.push(...found);
    else exactStores.push(vectorStoreId);
  }
  const top = scored.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, scope.limit);
  const refs = new Map((await findChunkRefs(db, scope.tenantId, top.map((t) => t.id))).map((r) => [r.id, r]));
  const hits = top.flatMap(({ id, score }) => {
    const ref = refs.get(id);
    return ref ? [{ ...ref, score }] : [];
  });
  return { hits, exactStores };
}
