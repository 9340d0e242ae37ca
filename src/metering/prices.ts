import type { Price, ToolPrices } from '../config.js';
import type { MeterEvent, UsageEvent } from './usage-event.js';

export type PriceTable = Readonly<Record<string, Price>>;

/** No tool priced: what a server without `tool_prices` charges. */
export const FREE_TOOLS: ToolPrices = Object.freeze({ code_interpreter_session: 0, file_search_call: 0, vector_store_gb_day: 0 });

const PER_TOKEN = 1 / 1_000_000;

/** The model's price by the client-facing name, then by the upstream name; undefined when neither is listed. */
export function findPrice(prices: PriceTable, event: Pick<UsageEvent, 'model' | 'upstreamModel'>): Price | undefined {
  if (Object.hasOwn(prices, event.model)) return prices[event.model];
  if (Object.hasOwn(prices, event.upstreamModel)) return prices[event.upstreamModel];
  return undefined;
}

/** What routes models by name: routes, local models, and the models providers are told to advertise. */
export interface RoutedModels {
  models: Readonly<Record<string, { model?: string }>>;
  localModels: ReadonlyArray<{ id: string }>;
  providers: ReadonlyArray<{ models: readonly string[] }>;
}

/** The models the configuration names that have no price (by their name or their upstream name), sorted. */
export function unpricedModels(prices: PriceTable, config: RoutedModels): string[] {
  const names = new Map<string, string>();
  for (const [model, route] of Object.entries(config.models)) names.set(model, route.model ?? model);
  for (const { id } of config.localModels) names.set(id, id);
  for (const p of config.providers) for (const id of p.models) if (!names.has(id)) names.set(id, id);
  return [...names]
    .filter(([model, upstreamModel]) => !findPrice(prices, { model, upstreamModel }))
    .map(([model]) => model)
    .sort();
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

/** USD per GiB-day of vector store bytes → per byte-second. */
const GIB = 1024 ** 3;
const DAY_SECONDS = 86_400;

/** Cost of holding `bytes` in vector stores for `seconds`, at `vector_store_gb_day` USD per GiB-day. */
export function storageCostOf(toolPrices: ToolPrices, sample: { bytes: number; seconds: number }): number {
  const cost = ((sample.bytes / GIB) * sample.seconds * toolPrices.vector_store_gb_day) / DAY_SECONDS;
  return Number.isFinite(cost) && cost > 0 ? cost : 0;
}

/** GiB-hours of a storage sample: the `quantity` of the vector store line item in costs. */
export const gibibyteHours = (sample: { bytes: number; seconds: number }): number => (sample.bytes / GIB) * (sample.seconds / 3600);

/** Cost of a metered use: embeddings tokens at the model's input price, tool uses at their price per use. */
export function meterCostOf(prices: { models: PriceTable; tools: ToolPrices }, event: MeterEvent): number {
  const quantity = Number.isFinite(event.quantity) && event.quantity > 0 ? event.quantity : 0;
  let cost = 0;
  if (event.meter === 'embeddings') {
    const price = findPrice(prices.models, { model: event.subject, upstreamModel: event.upstreamModel ?? event.subject });
    cost = price ? quantity * price.input * PER_TOKEN : 0;
  } else if (event.meter === 'file_search_calls') cost = quantity * prices.tools.file_search_call;
  else cost = quantity * prices.tools.code_interpreter_session;
  return Number.isFinite(cost) ? cost : 0;
}
