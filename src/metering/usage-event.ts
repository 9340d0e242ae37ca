import type { Meter } from '../store/tables/usage-meters.table.js';

export type { Meter };

/** One model call's token usage, as the request path hands it to the usage recorder. */
export interface UsageEvent {
  tenantId: string;
  apiKeyId: string;
  /** The model name the client used, after aliases. */
  model: string;
  /** The name the provider knows it by; prices fall back to it. */
  upstreamModel: string;
  /** Unix milliseconds. */
  at: number;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** What the tokens were for; embeddings are metered apart from completions, as OpenAI's usage API does. Default: completions. */
  kind?: 'completions' | 'embeddings';
}

/**
 * One use of something priced per use: a code_interpreter session started, a file_search call run,
 * or embeddings tokens spent indexing a file.
 */
export interface MeterEvent {
  tenantId: string;
  /** '' when no API key asked for it directly (a file indexed in the background). */
  apiKeyId: string;
  meter: Meter;
  /** The embeddings model, or the vector store a file_search call searched; '' for none. */
  subject: string;
  /** For embeddings: the name the provider knows the model by (prices fall back to it). */
  upstreamModel?: string;
  /** Unix milliseconds. */
  at: number;
  /** Tokens for embeddings, otherwise uses (1 for one call or session). */
  quantity: number;
}

/** Takes usage off the request path: record() and meter() must not block or throw. */
export interface UsageSink {
  record(event: UsageEvent): void;
}

/** Where tools and background work report priced uses; must not block or throw. */
export interface MeterSink {
  meter(event: MeterEvent): void;
}
