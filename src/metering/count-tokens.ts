import type { CompletionUsage } from 'openai/resources/completions';

/**
 * Token counts for upstreams that report no usage. gpt-tokenizer (o200k_base, pure JS) is loaded on
 * first need, so servers whose upstreams report usage never pay for it.
 */
export type CountTokens = (text: string) => number;
let counter: Promise<CountTokens> | undefined;

/** The project tokenizer (o200k_base), loaded once. */
export function loadCounter(): Promise<CountTokens> {
  // User text may contain special-token strings such as <|endoftext|>: count them as plain text.
  counter ??= import('gpt-tokenizer').then(
    (m) => (text: string) => m.countTokens(text, { allowedSpecial: new Set(), disallowedSpecial: new Set() }),
  );
  return counter;
}

/** OpenAI's chat framing costs about 3 tokens a message plus 3 for the reply's priming. */
const PER_MESSAGE = 3;
const PER_REPLY = 3;

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: { type?: string; text?: unknown; refusal?: unknown }) =>
      typeof p?.text === 'string' ? p.text : typeof p?.refusal === 'string' ? p.refusal : '',
    )
    .join('');
}

function messageText(m: unknown): string {
  if (!m || typeof m !== 'object') return '';
  const msg = m as { role?: unknown; name?: unknown; content?: unknown; tool_calls?: unknown };
  let text = `${String(msg.role ?? '')}${typeof msg.name === 'string' ? msg.name : ''}${contentText(msg.content)}`;
  if (Array.isArray(msg.tool_calls)) text += JSON.stringify(msg.tool_calls);
  return text;
}

export async function countPromptTokens(body: { messages?: unknown; tools?: unknown }): Promise<number> {
  const count = await loadCounter();
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let n = PER_REPLY;
  for (const m of messages) n += PER_MESSAGE + count(messageText(m));
  if (Array.isArray(body.tools)) n += count(JSON.stringify(body.tools));
  return n;
}

/** Text and tool-call arguments of a completion, from a chat.completion or its stream payloads. */
export function completionText(choices: unknown): string {
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const c of choices as Array<{ message?: unknown; delta?: unknown }>) {
    const m = (c?.message ?? c?.delta) as { content?: unknown; tool_calls?: unknown } | undefined;
    if (!m) continue;
    text += contentText(m.content);
    if (Array.isArray(m.tool_calls))
      for (const t of m.tool_calls as Array<{ function?: { name?: unknown; arguments?: unknown } }>)
        text += `${t.function?.name ?? ''}${t.function?.arguments ?? ''}`;
  }
  return text;
}

export async function estimateUsage(opts: {
  requestBody: { messages?: unknown; tools?: unknown };
  completion: string;
}): Promise<CompletionUsage> {
  const count = await loadCounter();
  const prompt_tokens = await countPromptTokens(opts.requestBody);
  const completion_tokens = count(opts.completion);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}
