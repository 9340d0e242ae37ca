import type { Model } from 'openai/resources/models';

/** A text embedding model: an upstream's /v1/embeddings model or the built-in local encoder. */
export interface Embedder {
  /** The model name clients use. */
  readonly model: string;
  /** Floats per vector; an upstream embedder without configured dimensions reports 0 until its first answer. */
  readonly dimensions: number;
  /** One vector per text, in order, each of `dimensions` floats (unit length for cosine search). */
  embed(texts: string[], opts?: { signal?: AbortSignal }): Promise<{ vectors: Float32Array[]; promptTokens: number }>;
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
