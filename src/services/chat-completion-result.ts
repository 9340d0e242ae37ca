import type { Caller } from '../deps.js';
import type { AbortEmitter } from '../providers/openai-compatible/client.js';

/**
 * The types every Chat Completions answerer shares (the relay, ChatModel routes, the one-call assistant
 * chat), in a module of their own so the services that answer import none of each other.
 */

/** What a chat call answers with: a JSON body, or SSE frames to write as they come. */
export type ChatCompletionResult =
  | { type: 'json'; status: number; body: string }
  | { type: 'stream'; frames: AsyncGenerator<string> };

/** A validated chat request; every field, known or not, goes upstream as it came. */
export interface ChatCompletionRequest {
  model: string;
  messages: unknown[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  tools?: unknown;
  [field: string]: unknown;
}

/** Who calls, the request's id for logs, and the signal that fires when the client leaves. */
export interface ChatCallContext {
  caller: Caller;
  requestId: string;
  signal: AbortSignal;
  /** The same as an EventEmitter (api/client-signal.ts's ClientGone): the upstream relay passes it to undici, no AbortSignal made. */
  gone?: AbortEmitter;
}
