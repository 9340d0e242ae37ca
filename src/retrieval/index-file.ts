import type { VectorStoreFile } from 'openai/resources/vector-stores/files';
import type { StaticFileChunkingStrategyObject } from 'openai/resources/vector-stores/vector-stores';
import type { Embedder } from '../embeddings/embedder.js';
import { failureOf } from '../failures.js';
import { chunkText } from './chunk.js';
import { ExtractionError, extractText, UnsupportedFileTypeError } from './extract.js';
import type { Chunk } from './types.js';

export const EMBED_BATCH_SIZE = 64;

/** OpenAI's `auto` chunking: 800-token chunks overlapping by 400. */
export const AUTO_CHUNKING: StaticFileChunkingStrategyObject = {
  type: 'static',
  static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
};

/** A file's name and bytes; undefined when the file is gone. */
export type ReadFile = (ref: { tenantId: string; fileId: string }) => Promise<{ filename: string; bytes: Buffer } | undefined>;

export interface IndexedFile {
  chunks: Chunk[];
  vectors: Float32Array[];
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

/** read → extract → chunk (the file's strategy) → embed in batches. Throws IngestionError or the cause. */
export async function indexFile(
  deps: { readFile: ReadFile; embedder: Embedder },
  file: { tenantId: string; fileId: string; chunkingStrategy: StaticFileChunkingStrategyObject },
  signal: AbortSignal,
): Promise<IndexedFile> {
  const read = await deps.readFile(file);
  if (!read) throw new IngestionError('invalid_file', `The file ${file.fileId} no longer exists.`);
  const { filename, bytes } = read;
  const text = await extract(filename, bytes);
  const { max_chunk_size_tokens: maxTokens, chunk_overlap_tokens: overlapTokens } = file.chunkingStrategy.static;
  const chunks = chunkText(text, { maxTokens, overlapTokens });
  if (chunks.length === 0) throw new IngestionError('invalid_file', `The file ${filename} contains no text.`);
  const vectors: Float32Array[] = [];
  let embeddingTokens = 0;
  for (let i = 0; i < chunks.length; i += EMBED_BATCH_SIZE) {
    signal.throwIfAborted();
    const batch = chunks.slice(i, i + EMBED_BATCH_SIZE).map((c) => c.text);
    // Background work: an in-process encoder serves queries first, and tenants' files in turn.
    const embedded = await deps.embedder.embed(batch, { signal, caller: file.tenantId, priority: 'background' });
    vectors.push(...embedded.vectors);
    embeddingTokens += embedded.promptTokens;
  }
  const usageBytes = chunks.reduce((sum, c) => sum + Buffer.byteLength(c.text), 0);
  return { chunks, vectors, usageBytes, embeddingTokens };
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
