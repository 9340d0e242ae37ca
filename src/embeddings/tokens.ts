/**
 * Token counts of embedding inputs with gpt-tokenizer (o200k_base, pure JS, loaded on first use), and OpenAI's
 * embeddings limits (CreateEmbeddingRequest in openai-openapi.yaml): at most 8,192 tokens per input, 2,048 inputs
 * and 300,000 tokens summed over one request. Special-token strings such as <|endoftext|> count as plain text.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export const MAX_INPUT_TOKENS = 8192;
export const MAX_INPUTS = 2048;
export const MAX_REQUEST_TOKENS = 300_000;

type CountTokens = (text: string) => number;

interface Tokenizer {
  count: CountTokens;
  /** The text's token count if it is at most `limit`, else false (it stops counting there). */
  within: (text: string, limit: number) => number | false;
  /** The text cut to its first `limit` tokens. */
  truncate: (text: string, limit: number) => string;
}

let tokenizer: Promise<Tokenizer> | undefined;

function loadTokenizer(): Promise<Tokenizer> {
  tokenizer ??= import('gpt-tokenizer').then((m) => {
    const plain = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
    return {
      count: (text) => m.countTokens(text, plain),
      within: (text, limit) => m.isWithinTokenLimit(text, limit, plain),
      truncate: (text, limit) => m.decode(m.encode(text, plain).slice(0, limit)),
    };
  });
  return tokenizer;
}

export async function loadTokenCounter(): Promise<CountTokens> {
  return (await loadTokenizer()).count;
}

/** What breaks the limits: one input too long (the first), or the request as a whole. */
export type TokenLimitBreach = { input: number; tokens: number } | { input?: undefined; tokens: number };

/** Characters counted between two turns of the event loop, so a large request does not hold other requests. */
const CHARS_PER_TURN = 256 * 1024;

/**
 * Checks texts against the per-input and per-request token limits. Each text is counted only up to the per-input
 * limit unless it breaks it, so the work is bounded by the request's size; returns the first breach, if any.
 */
export async function findTokenLimitBreach(texts: readonly string[]): Promise<TokenLimitBreach | undefined> {
  const { within, count } = await loadTokenizer();
  let total = 0;
  let chars = 0;
  for (const [input, text] of texts.entries()) {
    const tokens = within(text, MAX_INPUT_TOKENS);
    if (tokens === false) return { input, tokens: await countInTurns(text, count) };
    total += tokens;
    chars += text.length;
    if (chars > CHARS_PER_TURN) {
      chars = 0;
      await nextTurn();
    }
  }
  return total > MAX_REQUEST_TOKENS ? { tokens: total } : undefined;
}

/** A long text counted in slices cut before a space (where o200k's words start), one slice per turn. */
async function countInTurns(text: string, count: CountTokens): Promise<number> {
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
  const { within, truncate } = await loadTokenizer();
  // No token is longer than 32 characters in practice: encoding more than that many would be wasted work.
  const head = (t: string) => t.slice(0, MAX_INPUT_TOKENS * 32);
  return texts.map((t) => (within(t, MAX_INPUT_TOKENS) === false ? truncate(head(t), MAX_INPUT_TOKENS) : t));
}
