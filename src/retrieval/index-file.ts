import type { VectorStoreFile } from 'openai/resources/vector-stores/files';
import type { StaticFileChunkingStrategyObject } from 'openai/resources/vector-stores/vector-stores';
import type { Embedder } from '../embeddings/embedder.js';
import { failureOf } from '../failures.js';
import { chunkText } from './chunk.js';
import { pipelineBatches } from './pipeline.js';
import { ExtractionError, extractText, UnsupportedFileTypeError } from './extract.js';
import type { Chunk } from './types.js';

export const EMBED_BATCH_SIZE = 64;
/**
 * Chunks per batch for an in-process model: it spreads a batch over its threads (one 800-token chunk per thread at a
 * time) whatever the batch size, so smaller batches cost nothing and show progress every ~2 s instead of ~5-10 s.
 */
export const LOCAL_EMBED_BATCH_SIZE = 32;

/** OpenAI's `auto` chunking: 800-token chunks overlapping by 400. */
export const AUTO_CHUNKING: StaticFileChunkingStrategyObject = {
  type: 'static',
  static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
};

/** A file's name and bytes; undefined when the file is gone. */
export type ReadFile = (ref: { tenantId: string; fileId: string }) => Promise<{ filename: string; bytes: Buffer } | undefined>;

/** One batch of a file's chunks, embedded, handed over in order to be stored. */
export interface EmbeddedBatch {
  /** Position of the batch among the file's batches, from 0. */
  index: number;
  chunks: Chunk[];
  vectors: Float32Array[];
  /** Chunks of the file in this batch and before it. */
  indexedChunks: number;
  /** UTF-8 bytes of those chunks' text. */
  usageBytes: number;
}

export interface IndexFileOptions {
  /** Chunks per embedding call (default EMBED_BATCH_SIZE). */
  batchSize?: number;
  /** Embedding calls in flight at once (default 1). */
  concurrency?: number;
  /** The file is chunked: how many chunks it has (before any is embedded). */
  onChunked?: (totalChunks: number) => Promise<void>;
  /** Stores one batch; called in batch order, one at a time, while the next batches are being embedded. */
  onBatch: (batch: EmbeddedBatch) => Promise<void>;
}

export interface IndexedFile {
  chunkCount: number;
  /** What the file takes in the store: the UTF-8 bytes of its chunks. */
  usageBytes: number;
  /** Tokens the embedder reported for the chunks. */
  embeddingTokens: number;
}

/** A failure that is the file's fault (or not), as the vector store file's `last_error` reports it. */
export class IngestionError extends Error {
  override name = 'IngestionError';
  constructor(
    readonly code: VectorStoreFile.LastError['code'],
    message: string,
  ) {
    super(message);
  }
}

/**
 * read → extract → chunk (the file's strategy) → embed in batches, several in flight (`concurrency`), each batch
 * handed to `onBatch` in order as soon as it and those before it are embedded (pipeline.ts): storing batch n overlaps
 * embedding batch n+1. Throws IngestionError, the embedder's or onBatch's error, or the signal's reason.
 */
export async function indexFile(
  deps: { readFile: ReadFile; embedder: Embedder },
  file: { tenantId: string; fileId: string; chunkingStrategy: StaticFileChunkingStrategyObject },
  signal: AbortSignal,
  opts: IndexFileOptions,
): Promise<IndexedFile> {
  const read = await deps.readFile(file);
  if (!read) throw new IngestionError('invalid_file', `The file ${file.fileId} no longer exists.`);
  const { filename, bytes } = read;
  const text = await extract(filename, bytes);
  signal.throwIfAborted();
  const { max_chunk_size_tokens: maxTokens, chunk_overlap_tokens: overlapTokens } = file.chunkingStrategy.static;
  const chunks = chunkText(text, { maxTokens, overlapTokens });
  if (chunks.length === 0) throw new IngestionError('invalid_file', `The file ${filename} contains no text.`);
  await opts.onChunked?.(chunks.length);
  const size = Math.max(1, opts.batchSize ?? EMBED_BATCH_SIZE);
  const batchOf = (index: number) => chunks.slice(index * size, (index + 1) * size);
  let embeddingTokens = 0;
  let usageBytes = 0;
  await pipelineBatches({
    count: Math.ceil(chunks.length / size),
    concurrency: opts.concurrency ?? 1,
    signal,
    // Background work: an in-process encoder serves queries first, and tenants' files in turn.
    produce: (index, batchSignal) =>
      deps.embedder.embed(
        batchOf(index).map((c) => c.text),
        { signal: batchSignal, caller: file.tenantId, priority: 'background' },
      ),
    consume: async (index, embedded) => {
      const batch = batchOf(index);
      embeddingTokens += embedded.promptTokens;
      usageBytes += batch.reduce((sum, c) => sum + Buffer.byteLength(c.text), 0);
      const indexedChunks = Math.min(chunks.length, (index + 1) * size);
      await opts.onBatch({ index, chunks: batch, vectors: embedded.vectors, indexedChunks, usageBytes });
    },
  });
  return { chunkCount: chunks.length, usageBytes, embeddingTokens };
}

async function extract(filename: string, bytes: Buffer): Promise<string> {
  try {
    return await extractText({ filename, bytes });
  } catch (err) {
    if (err instanceof UnsupportedFileTypeError) throw new IngestionError('unsupported_file', err.message);
    if (err instanceof ExtractionError) throw new IngestionError('invalid_file', err.message);
    throw err;
  }
}

/** `last_error` for a failure: the file's own problem as it is, anything else as a server error. */
export function toLastError(err: unknown): VectorStoreFile.LastError {
  if (err instanceof IngestionError) return { code: err.code, message: err.message };
  // Provider and API errors are written for clients (an embedding upstream down, no embedding model configured):
  // worth passing on. A vector store file knows no rate_limit_exceeded or invalid_prompt: each is a server_error.
  const failure = failureOf(err);
  if (failure) return { code: 'server_error', message: failure.lastError.message };
  return { code: 'server_error', message: 'An internal error occurred while processing the file.' };
}
