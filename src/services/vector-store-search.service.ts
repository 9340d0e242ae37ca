import type { Deps } from '../deps.js';
import {
  findTokenLimitBreach,
  MAX_INPUT_TOKENS,
  MAX_REQUEST_TOKENS,
  truncateToInputLimit,
  type TokenLimitBreach,
} from '../embeddings/tokens.js';
import { invalidRequest, notFound, type ApiError } from '../errors.js';
import type { VectorStoreSearchParams } from 'openai/resources/vector-stores/vector-stores';
import type { OrNull } from './request-params.js';
import { matchesFilter, type AttributeFilter, type Attributes } from '../retrieval/attribute-filter.js';
import { hybridSearch } from '../retrieval/chunk-index.js';
import type { HybridWeights } from '../retrieval/fuse.js';
import type { SearchHit } from '../retrieval/types.js';
import { fromJson } from '../store/json.js';
import { findSearchableFiles } from '../store/repos/vector-store-files.repo.js';
import { findVectorStores, updateVectorStoreRow } from '../store/repos/vector-stores.repo.js';
import type { VectorStoreRow } from '../store/tables/vector-stores.table.js';
import { assertNotExpired, type VectorStoreRef } from './vector-store-files.service.js';
import { expiresAt } from './vector-stores.service.js';

/**
 * POST /vector_stores/{id}/search: OpenAI's filters as retrieval types them; every ranker OpenAI accepts (the SDK lists
 * fewer), and `hybrid_search` weights as the Responses file_search tool takes them.
 */
export type SearchVectorStoreParams = OrNull<Omit<VectorStoreSearchParams, 'filters' | 'ranking_options'>> & {
  filters?: AttributeFilter | null;
  ranking_options?: { ranker?: string | null; score_threshold?: number | null; hybrid_search?: HybridWeights | null } | null;
};

export type SearchDeps = Pick<Deps, 'store' | 'clock' | 'embeddings'>;

/** One chunk found, with its file's name and attributes. */
export interface FileSearchResult {
  vectorStoreId: string;
  fileId: string;
  filename: string;
  /** [0, 1], higher is better. */
  score: number;
  attributes: Attributes | null;
  chunkIndex: number;
  text: string;
}

export interface SearchOptions {
  tenantId: string;
  vectorStoreIds: readonly string[];
  /** One query, or several whose results are merged (a chunk keeps its best score). */
  query: string | readonly string[];
  /** 1–50, default 10. */
  maxNumResults?: number;
  scoreThreshold?: number;
  /** `none`: the embedding ranking alone (no keyword search, no fusion); anything else fuses both halves. */
  ranker?: string;
  /** ranking_options.hybrid_search; fuse.ts's default without it. */
  weights?: HybridWeights;
  filters?: AttributeFilter;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_NUM_RESULTS = 10;
/** With a filter, hits are read this many times over before filtering, so enough pass it. */
const FILTER_OVERFETCH = 10;

/**
 * Searches the tenant's vector stores (404 for one that is not there, 400 for an expired one), best first,
 * and marks them active (which moves their expiry). What the file_search tool and POST …/search both use.
 * A query over the embedding limit (a model's file_search call can be anything) is cut to its first 8,192 tokens.
 */
export async function searchVectorStores(deps: SearchDeps, opts: SearchOptions): Promise<FileSearchResult[]> {
  const { db, dialect } = deps.store;
  const stores = await activeStores(deps, opts.tenantId, opts.vectorStoreIds);
  const given = (typeof opts.query === 'string' ? [opts.query] : [...opts.query]).filter((q) => q.trim() !== '');
  const max = opts.maxNumResults ?? DEFAULT_MAX_NUM_RESULTS;
  await touchStores(deps, stores);
  if (given.length === 0 || stores.length === 0) return [];

  const queries = await truncateToInputLimit(given);
  const { vectors } = await deps.embeddings.retrieval().embed(queries, { signal: opts.signal, caller: opts.tenantId });
  const limit = opts.filters ? Math.min(max * FILTER_OVERFETCH, 500) : max;
  const rank = async (exact: boolean) => {
    const best = new Map<string, SearchHit>();
    for (const [i, query] of queries.entries()) {
      const hits = await hybridSearch(db, dialect, {
        tenantId: opts.tenantId,
        vectorStoreIds: stores.map((s) => s.id),
        query,
        vector: vectors[i]!,
        limit,
        scoreThreshold: opts.scoreThreshold,
        mode: opts.ranker === 'none' ? 'vector' : 'hybrid',
        weights: opts.weights,
        exact,
      });
      for (const hit of hits) {
        const key = `${hit.vectorStoreId}\u0000${hit.fileId}\u0000${hit.chunkIndex}`;
        if ((best.get(key)?.score ?? -1) < hit.score) best.set(key, hit);
      }
    }
    return withFiles(deps, opts, [...best.values()].sort((a, b) => b.score - a.score), max);
  };
  const results = await rank(false);
  // A selective filter can leave too few of the index's nearest: the exact scan then finds the rest.
  return opts.filters && results.length < max ? rank(true) : results;
}

/** Joins hits to their (still attached, completed) files, applies the attribute filter, keeps the top `max`. */
async function withFiles(deps: SearchDeps, opts: SearchOptions, hits: SearchHit[], max: number): Promise<FileSearchResult[]> {
  const files = await findSearchableFiles(deps.store.db, {
    tenantId: opts.tenantId,
    vectorStoreIds: [...new Set(hits.map((h) => h.vectorStoreId))],
    fileIds: [...new Set(hits.map((h) => h.fileId))],
  });
  const byKey = new Map(files.map((f) => [`${f.vector_store_id}\u0000${f.id}`, f]));
  const results: FileSearchResult[] = [];
  for (const hit of hits) {
    const file = byKey.get(`${hit.vectorStoreId}\u0000${hit.fileId}`);
    if (!file) continue;
    if (opts.scoreThreshold !== undefined && hit.score < opts.scoreThreshold) continue;
    const attributes = fromJson<Attributes | null>(file.attributes, null);
    if (opts.filters && !matchesFilter(attributes, opts.filters)) continue;
    results.push({ ...hit, filename: file.filename ?? '', attributes });
    if (results.length === max) break;
  }
  return results;
}

async function activeStores(deps: SearchDeps, tenantId: string, ids: readonly string[]): Promise<VectorStoreRow[]> {
  const unique = [...new Set(ids)];
  const rows = await findVectorStores(deps.store.db, tenantId, unique);
  const nowS = Math.floor(deps.clock.now() / 1000);
  for (const id of unique) {
    const row = rows.find((r) => r.id === id);
    if (!row) throw notFound('vector store', id);
    assertNotExpired(row, nowS);
  }
  return rows;
}

/** last_active_at = now, and an expiry anchored on it moves along. */
async function touchStores(deps: SearchDeps, stores: VectorStoreRow[]): Promise<void> {
  const nowS = Math.floor(deps.clock.now() / 1000);
  for (const s of stores) {
    if (s.last_active_at === nowS) continue;
    await updateVectorStoreRow(deps.store.db, s.tenant_id, s.id, {
      last_active_at: nowS,
      expires_at: expiresAt(s.expires_after, nowS),
    });
  }
}

/** OpenAI's embeddings limits, worded for the queries of a search. */
function queryLimitError(breach: TokenLimitBreach, single: boolean): ApiError {
  if (breach.input === undefined)
    return invalidRequest(
      `Requested ${breach.tokens} tokens, max ${MAX_REQUEST_TOKENS} tokens per request`,
      'query',
      'max_tokens_per_request',
    );
  const param = single ? 'query' : `query[${breach.input}]`;
  return invalidRequest(
    `Invalid '${param}': maximum context length is ${MAX_INPUT_TOKENS} tokens, however you requested ${breach.tokens} tokens.`,
    'query',
  );
}

/** POST /vector_stores/{id}/search: the queries as given and the results, best first; 400 past the embeddings limits. */
export async function searchVectorStore(
  deps: SearchDeps,
  ref: VectorStoreRef,
  params: SearchVectorStoreParams,
): Promise<{ queries: string[]; results: FileSearchResult[] }> {
  const queries = typeof params.query === 'string' ? [params.query] : params.query;
  const breach = await findTokenLimitBreach(queries);
  if (breach) throw queryLimitError(breach, typeof params.query === 'string');
  const results = await searchVectorStores(deps, {
    tenantId: ref.tenantId,
    vectorStoreIds: [ref.vectorStoreId],
    query: queries,
    maxNumResults: params.max_num_results ?? undefined,
    scoreThreshold: params.ranking_options?.score_threshold ?? undefined,
    ranker: params.ranking_options?.ranker ?? undefined,
    weights: params.ranking_options?.hybrid_search ?? undefined,
    filters: params.filters ?? undefined,
  });
  return { queries, results };
}
