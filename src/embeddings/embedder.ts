import type { Model } from 'openai/resources/models';
import type { EmbedPriority } from './fair-scheduler.js';

export interface EmbedOptions {
  signal?: AbortSignal;
  /** Who the texts are for (a tenant id): an in-process model shares its turns fairly between callers. */
  caller?: string;
  /** `background` (file indexing) waits while `interactive` work (the default: requests, searches) is queued. */
  priority?: EmbedPriority;
}

/** A text embedding model: an upstream's /v1/embeddings model or the built-in local encoder. */
export interface Embedder {
  /** The model name clients use. */
  readonly model: string;
  /** Floats per vector; an upstream embedder without configured dimensions reports 0 until its first answer. */
  readonly dimensions: number;
  /** One vector per text, in order, each of `dimensions` floats (unit length for cosine search). */
  embed(texts: string[], opts?: EmbedOptions): Promise<{ vectors: Float32Array[]; promptTokens: number }>;
}

export interface EmbedderRegistry {
  /** The embedder for a model name; throws ApiError 404 model_not_found. */
  resolve(model: string): Embedder;
  /** The in-process embedder a name (after aliases) refers to, or undefined when the name belongs to an upstream. */
  local(model: string): Embedder | undefined;
  /** The embedder file_search indexes and queries with (configurable; the local encoder by default). */
  retrieval(): Embedder;
  /** The in-process embedding models, for GET /v1/models. */
  listModels(): Model[];
  close(): Promise<void>;
}
