/**
 * The tokens a call reserves against a tokens-per-minute limit before it goes upstream, estimated from the
 * request's characters (about 4 a token) as OpenAI does for its own limits ("the estimated number of tokens based
 * on the character count of your request"): no tokenizer on the hot path (gpt-tokenizer cost ~3 µs a short
 * request). The reservation is given back when the call ends and its real usage is counted instead.
 */

const CHARS_PER_TOKEN = 4;
/** OpenAI's chat framing: about 3 tokens a message plus 3 for the reply's priming. */
const PER_MESSAGE = 3;
const PER_REPLY = 3;

const textLength = (v: unknown): number => (typeof v === 'string' ? v.length : 0);

/** Characters of a message's content: a string, or the text (or refusal) of its parts. */
function contentLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const p of content as Array<{ text?: unknown; refusal?: unknown } | null>)
    n += typeof p?.text === 'string' ? p.text.length : textLength(p?.refusal);
  return n;
}

function messageLength(m: unknown): number {
  if (!m || typeof m !== 'object') return 0;
  const msg = m as { role?: unknown; name?: unknown; content?: unknown; tool_calls?: unknown };
  const calls = Array.isArray(msg.tool_calls) ? JSON.stringify(msg.tool_calls).length : 0;
  return textLength(msg.role) + textLength(msg.name) + contentLength(msg.content) + calls;
}

/** A Chat Completions request's prompt in tokens: its messages' role, name, text and tool calls, and its tools. */
export function estimateChatTokens(body: { messages?: unknown; tools?: unknown }): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let chars = 0;
  for (const m of messages) chars += messageLength(m);
  if (Array.isArray(body.tools)) chars += JSON.stringify(body.tools).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + PER_MESSAGE * messages.length + PER_REPLY;
}

/** Any other request's input (embeddings, Responses): its parts' characters as JSON text. */
export function estimateTokens(...parts: unknown[]): number {
  let chars = 0;
  for (const p of parts) chars += p == null ? 0 : JSON.stringify(p).length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}
