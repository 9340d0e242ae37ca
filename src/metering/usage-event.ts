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
}

/** Takes usage off the request path: record() must not block or throw. */
export interface UsageSink {
  record(event: UsageEvent): void;
}
