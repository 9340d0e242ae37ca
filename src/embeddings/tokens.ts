/**
 * Token counts of embedding inputs with gpt-tokenizer (o200k_base, pure JS, loaded on first use), and OpenAI's
 * embeddings limits (CreateEmbeddingRequest in openai-openapi.yaml): at most 8,192 tokens per input, 2,048 inputs
 * and 300,000 tokens summed over one request. Special-token strings such as <|endoftext|> count as plain text.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PLAIN_TEXT, tokenizerSlices, type CountTokens } from '../metering/count-tokens.js';

export const MAX_INPUT_TOKENS = 8192;
export const MAX_INPUTS = 2048;
export const MAX_REQUEST_TOKENS = 300_000;

interface Tokenizer {
  /** Tokens of a text; past `stopAbove` it stops counting and returns what it has (more than `stopAbove`). */
  count: (text: string, stopAbove?: number) => number;
  /** The text cut to its first `limit` tokens. */
  truncate: (text: string, limit: number) => string;
}

let tokenizer: Promise<Tokenizer> | undefined;

function loadTokenizer(): Promise<Tokenizer> {
  tokenizer ??= import('gpt-tokenizer').then((m) => {
    const count = (text: string, stopAbove = Infinity) => {
      let n = 0;
      for (const slice of tokenizerSlices(text)) if ((n += m.countTokens(slice, PLAIN_TEXT)) > stopAbove) break;
      return n;
    };
    const truncate = (text: string, limit: number) => {
      let n = 0;
      let kept = '';
      for (const slice of tokenizerSlices(text)) {
        const tokens = m.encode(slice, PLAIN_TEXT);
        if (n + tokens.length > limit) return kept + m.decode(tokens.slice(0, limit - n));
        n += tokens.length;
        kept += slice;
      }
      return kept;
    };
    return { count, truncate };
  });
  return tokenizer;
}

export async function loadTokenCounter(): Promise<CountTokens> {
  const { count } = await loadTokenizer();
  return (text) => count(text);
}

/** What breaks the limits: one input too long (the first), or the request as a whole. */
export type TokenLimitBreach = { input: number; tokens: number } | { input?: undefined; tokens: number };

/** Characters counted between two turns of the event loop, so a large request does not hold other requests. */
const CHARS_PER_TURN = 64 * 1024;

/**
 * Checks texts against the per-input and per-request token limits, yielding to the event loop every 64 KB counted;
 * returns the first breach, if any.
 */
export async function findTokenLimitBreach(texts: readonly string[]): Promise<TokenLimitBreach | undefined> {
  const { count } = await loadTokenizer();
  let total = 0;
  let chars = 0;
  for (const [input, text] of texts.entries()) {
    let tokens: number;
    if (text.length > CHARS_PER_TURN) tokens = await countInTurns(text, count);
    else if ((tokens = count(text, MAX_INPUT_TOKENS)) > MAX_INPUT_TOKENS) tokens = count(text); // all of it, for the message
    if (tokens > MAX_INPUT_TOKENS) return { input, tokens };
    total += tokens;
    chars += text.length;
    if (chars > CHARS_PER_TURN) {
      chars = 0;
      await nextTurn();
    }
  }
  return total > MAX_REQUEST_TOKENS ? { tokens: total } : undefined;
}

/** A long text counted a part per turn, the parts cut before a space. */
async function countInTurns(text: string, count: Tokenizer['count']): Promise<number> {
  let tokens = 0;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + CHARS_PER_TURN);
    const space = end < text.length ? text.lastIndexOf(' ', end) : -1;
    if (space > start) end = space;
    tokens += count(text.slice(start, end));
    start = end;
    if (start < text.length) await nextTurn();
  }
  return tokens;
}

/** Each text cut to the per-input limit: for callers that must go on with what they were given (a model's query). */
export async function truncateToInputLimit(texts: readonly string[]): Promise<string[]> {
  const { count, truncate } = await loadTokenizer();
  return texts.map((t) => (count(t, MAX_INPUT_TOKENS) > MAX_INPUT_TOKENS ? truncate(t, MAX_INPUT_TOKENS) : t));
}
