import type { CountTokens } from '../metering/count-tokens.js';
import type { ModelMessage } from '../providers/chat-model.js';

/** How many tokens the prompt may take, and how to count them. */
export interface PromptFit {
  /** Tokens left for the messages: the context window less the reply's room and the tool definitions. */
  maxPromptTokens: number;
  countTokens: CountTokens;
}

/** OpenAI's chat framing: about 3 tokens a message, 3 for the reply's priming. */
const PER_MESSAGE = 3;
const PER_REPLY = 3;
/** An image part, counted as OpenAI counts a high-detail 512×512 tile set. */
const PER_IMAGE = 765;

/** Tokens a message takes in the prompt (role, text, images, tool calls). */
export function messageTokens(m: ModelMessage, count: CountTokens): number {
  let n = PER_MESSAGE + count(m.role);
  if (typeof m.content === 'string') n += count(m.content);
  else if (Array.isArray(m.content))
    for (const part of m.content) n += part.type === 'text' ? count(part.text) : PER_IMAGE;
  if (m.role === 'assistant' && m.tool_calls)
    for (const c of m.tool_calls) n += count(c.function.name) + count(c.function.arguments);
  return n;
}

/** The system message, the thread's history (what truncation may drop), this run's own steps. */
export interface PromptParts {
  head: ModelMessage[];
  thread: ModelMessage[];
  tail: ModelMessage[];
}

const tokensOf = (ms: ModelMessage[], count: CountTokens) => ms.reduce((n, m) => n + messageTokens(m, count), 0);

/** Tokens of the whole prompt, the reply's priming included. */
export const promptTokens = (p: PromptParts, count: CountTokens): number =>
  PER_REPLY + tokensOf(p.head, count) + tokensOf(p.thread, count) + tokensOf(p.tail, count);

/**
 * The messages cut into units that stay together: an assistant message that calls tools with the
 * tool results that answer it; every other message alone.
 */
function units(messages: ModelMessage[]): ModelMessage[][] {
  const out: ModelMessage[][] = [];
  for (const m of messages) {
    const last = out.at(-1);
    if (m.role === 'tool' && last && last.some((x) => x.role === 'assistant' && x.tool_calls?.length)) last.push(m);
    else out.push([m]);
  }
  return out;
}

/**
 * truncation_strategy `auto`, as OpenAI does it: the thread's oldest messages (and items) are dropped until the
 * prompt fits. The system message and the current run's own steps are always kept, as is the
 * newest thread message (if even that does not fit, the model's own error says so); a tool call and
 * its results go together.
 */
export function fitToContext(prompt: PromptParts, fit: PromptFit): ModelMessage[] {
  const groups = units(prompt.thread);
  const sizes = groups.map((g) => tokensOf(g, fit.countTokens));
  let total = promptTokens(prompt, fit.countTokens);
  let first = 0;
  while (total > fit.maxPromptTokens && first < groups.length - 1) total -= sizes[first++]!;
  return [...prompt.head, ...groups.slice(first).flat(), ...prompt.tail];
}
