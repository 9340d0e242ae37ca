import { decode, encode } from 'gpt-tokenizer';
import { PLAIN_TEXT, tokenizerSlices } from '../metering/count-tokens.js';
import type { Chunk } from './types.js';

/** OpenAI's chunking_strategy, as sent on vector store file creation. */
export type ChunkingStrategyParam =
  | { type: 'auto' }
  | { type: 'static'; static: { max_chunk_size_tokens: number; chunk_overlap_tokens: number } };

export interface ChunkingOptions {
  maxTokens: number;
  overlapTokens: number;
}

/** OpenAI's `auto` strategy. */
export const AUTO_CHUNKING: Readonly<ChunkingOptions> = Object.freeze({ maxTokens: 800, overlapTokens: 400 });
export const MIN_CHUNK_TOKENS = 100;
export const MAX_CHUNK_TOKENS = 4096;

/** A chunking parameter outside OpenAI's limits; `param` is its dotted wire path. */
export class InvalidChunkingStrategyError extends RangeError {
  override readonly name = 'InvalidChunkingStrategyError';
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

const MAX_PARAM = 'chunking_strategy.static.max_chunk_size_tokens';
const OVERLAP_PARAM = 'chunking_strategy.static.chunk_overlap_tokens';

function validate({ maxTokens, overlapTokens }: ChunkingOptions): void {
  if (!Number.isInteger(maxTokens) || maxTokens < MIN_CHUNK_TOKENS || maxTokens > MAX_CHUNK_TOKENS) {
    throw new InvalidChunkingStrategyError(
      `Invalid '${MAX_PARAM}': expected an integer between ${MIN_CHUNK_TOKENS} and ${MAX_CHUNK_TOKENS}, ` +
        `got ${maxTokens}.`,
      MAX_PARAM,
    );
  }
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens > maxTokens / 2) {
    throw new InvalidChunkingStrategyError(
      `Invalid '${OVERLAP_PARAM}': expected an integer between 0 and half of max_chunk_size_tokens ` +
        `(${Math.floor(maxTokens / 2)}), got ${overlapTokens}.`,
      OVERLAP_PARAM,
    );
  }
}

/** `auto` (or nothing) → 800/400; `static` → its sizes, validated against OpenAI's limits. */
export function resolveChunkingStrategy(strategy?: ChunkingStrategyParam): ChunkingOptions {
  if (!strategy || strategy.type === 'auto') return { ...AUTO_CHUNKING };
  const options = {
    maxTokens: strategy.static.max_chunk_size_tokens,
    overlapTokens: strategy.static.chunk_overlap_tokens,
  };
  validate(options);
  return options;
}

/**
 * OpenAI's static strategy: windows of `maxTokens` o200k tokens, each starting
 * `maxTokens - overlapTokens` after the previous one, until a window reaches the end of the text.
 * A window decodes back to text; a character split across a window's edge (its bytes spread over
 * two tokens) is dropped from that edge instead of showing as U+FFFD. The text is tokenized a slice at a time
 * (linear in its length), and special-token strings in it are plain text.
 */
export function chunkText(text: string, options: Partial<ChunkingOptions> = {}): Chunk[] {
  const opts = {
    maxTokens: options.maxTokens ?? AUTO_CHUNKING.maxTokens,
    overlapTokens: options.overlapTokens ?? AUTO_CHUNKING.overlapTokens,
  };
  validate(opts);
  if (text.trim() === '') return [];
  const tokens: number[] = [];
  for (const slice of tokenizerSlices(text)) for (const t of encode(slice, PLAIN_TEXT)) tokens.push(t);
  const step = opts.maxTokens - opts.overlapTokens;
  const chunks: Chunk[] = [];
  for (let start = 0; ; start += step) {
    const window = tokens.slice(start, start + opts.maxTokens);
    chunks.push({ index: chunks.length, text: trimSplitCharacters(decode(window)), tokens: window.length });
    if (start + opts.maxTokens >= tokens.length) return chunks;
  }
}

function trimSplitCharacters(text: string): string {
  return text.replace(/^\uFFFD+|\uFFFD+$/g, '');
}
