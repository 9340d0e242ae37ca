import type { Price } from '../config.js';
import type { UsageEvent } from './usage-event.js';

export type PriceTable = Readonly<Record<string, Price>>;

const PER_TOKEN = 1 / 1_000_000;

/** The model's price by the client-facing name, then by the upstream name; undefined when neither is listed. */
export function findPrice(prices: PriceTable, event: Pick<UsageEvent, 'model' | 'upstreamModel'>): Price | undefined {
  if (Object.hasOwn(prices, event.model)) return prices[event.model];
  if (Object.hasOwn(prices, event.upstreamModel)) return prices[event.upstreamModel];
  return undefined;
}

/**
 * Cost of one model call in USD. Prices are USD per 1M tokens; cached input tokens are billed at
 * `cached_input` (default: the input price), the rest of the input at `input`. Output tokens already
 * include reasoning tokens, as in OpenAI's usage. A model without a price costs 0.
 */
export function costOf(prices: PriceTable, event: UsageEvent): number {
  const price = findPrice(prices, event);
  if (!price) return 0;
  const input = Math.max(0, event.inputTokens || 0);
  const cached = Math.min(input, Math.max(0, event.cachedTokens || 0));
  const output = Math.max(0, event.outputTokens || 0);
  const cost =
    (input - cached) * price.input * PER_TOKEN +
    cached * (price.cached_input ?? price.input) * PER_TOKEN +
    output * price.output * PER_TOKEN;
  return Number.isFinite(cost) ? cost : 0;
}
