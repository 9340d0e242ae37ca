/**
 * The raw material of retrieval quality: the labelled set (bench/retrieval-questions.ts) embedded with the
 * local encoder, indexed in a store, and each question's keyword and vector candidate lists with their rankers'
 * own scores — what hybridSearch fuses. bench/retrieval-quality.ts and bench/retrieval-tune.ts read these.
 */
import type { LocalEncoder } from '../src/embeddings/local-encoder.js';
import { addChunks, keywordSearch, vectorSearch } from '../src/retrieval/chunk-index.js';
import { chunkText } from '../src/retrieval/chunk.js';
import { extractText } from '../src/retrieval/extract.js';
import type { Chunk } from '../src/retrieval/types.js';
import type { Store } from '../src/store/open-db.js';
import { DOCUMENTS, QUESTIONS } from './retrieval-questions.js';

export const QUALITY_TENANT = 'tenant_bench';
export const QUALITY_STORE = 'vs_quality';
/** hybridSearch's candidates per ranker at the default limit (max(2 × 20, 50)). */
export const CANDIDATES = 50;

export interface Labelled {
  docChunks: Map<string, { chunks: Chunk[]; vectors: Float32Array[] }>;
  questionVectors: Float32Array[];
}

/** Every document extracted, chunked (800/400) and embedded, and every question embedded. */
export async function embedLabelled(encoder: LocalEncoder): Promise<Labelled> {
  const docChunks = new Map<string, { chunks: Chunk[]; vectors: Float32Array[] }>();
  for (const doc of DOCUMENTS) {
    const text = await extractText({ filename: `doc-${doc.id}.txt`, bytes: Buffer.from(`${doc.title}\n\n${doc.text}\n`) });
    const chunks = chunkText(text);
    const { vectors } = await encoder.embed(chunks.map((c) => c.text));
    docChunks.set(doc.id, { chunks, vectors });
  }
  const { vectors: questionVectors } = await encoder.embed(QUESTIONS.map((q) => q.question));
  return { docChunks, questionVectors };
}

/** Adds every document as file `doc-<id>` of QUALITY_STORE, one transaction per file as ingestion does. */
export async function indexLabelled(store: Store, labelled: Labelled): Promise<void> {
  for (const [id, { chunks, vectors }] of labelled.docChunks)
    await store.db.transaction().execute((trx) =>
      addChunks(trx, store.dialect, { tenantId: QUALITY_TENANT, vectorStoreId: QUALITY_STORE, fileId: `doc-${id}`, chunks, vectors }),
    );
}

/** One ranker's candidate: the chunk, its file, and the ranker's own score (higher is better). */
export interface Candidate {
  id: number;
  fileId: string;
  score: number;
}

export interface QuestionLists {
  keyword: Candidate[];
  vector: Candidate[];
}

/** Each question's keyword and vector candidates, QUESTIONS order, from a store indexLabelled filled. */
export async function candidateLists(store: Store, labelled: Labelled): Promise<QuestionLists[]> {
  const scope = { tenantId: QUALITY_TENANT, vectorStoreIds: [QUALITY_STORE], limit: CANDIDATES };
  const out: QuestionLists[] = [];
  for (const [i, q] of QUESTIONS.entries()) {
    const kw = await keywordSearch(store.db, store.dialect, { ...scope, query: q.question });
    const vec = await vectorSearch(store.db, store.dialect, { ...scope, vector: labelled.questionVectors[i]! });
    const pick = ({ id, fileId, score }: Candidate) => ({ id, fileId, score });
    out.push({ keyword: kw.map(pick), vector: vec.map(pick) });
  }
  return out;
}
