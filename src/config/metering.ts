import { z } from 'zod';

const priceSchema = z
  .object({
    input: z.number().nonnegative(),
    /** Unset for models that only take input (embeddings). */
    output: z.number().nonnegative().default(0),
    cached_input: z.number().nonnegative().optional(),
  })
  .strict();

/** USD per use of a built-in tool, as OpenAI prices the Assistants API's tools; unset: free. */
const toolPricesSchema = z
  .object({
    code_interpreter_session: z.number().nonnegative().default(0),
    file_search_call: z.number().nonnegative().default(0),
    /** Per GiB of vector store chunks kept for a day. */
    vector_store_gb_day: z.number().nonnegative().default(0),
  })
  .strict();

/** A project's spend budget in USD (model tokens at the price table's prices), per UTC day and/or month. */
const budgetSchema = z
  .object({ usd_per_day: z.number().positive().optional(), usd_per_month: z.number().positive().optional() })
  .strict();

/** YAML: prices, and how usage is recorded. */
export const meteringSection = z.object({
  prices: z.record(z.string(), priceSchema).default({}),
  tool_prices: toolPricesSchema.prefault({}),
  /** How often the vector stores' stored bytes are sampled for usage and GB-day costs. */
  vector_store_usage_sample_s: z.number().int().min(1).max(86_400).optional(),
  usage_flush_ms: z.number().int().positive().optional(),
  /** Project id → its spend budget. */
  budgets: z.record(z.string(), budgetSchema).default({}),
});

export type Price = z.infer<typeof priceSchema>;
export type ToolPrices = z.infer<typeof toolPricesSchema>;
export type Budget = z.infer<typeof budgetSchema>;

export interface MeteringConfig {
  prices: Record<string, Price>;
  toolPrices: ToolPrices;
  /** Interval between samples of the vector stores' stored bytes. */
  vectorStoreSampleMs: number;
  usageFlushMs: number;
  /** Project id → its spend budget (YAML `budgets`); a project without one has none. */
  budgets: Record<string, Budget>;
}

export function meteringConfig(file: z.infer<typeof meteringSection>): MeteringConfig {
  return {
    prices: file.prices,
    toolPrices: file.tool_prices,
    vectorStoreSampleMs: (file.vector_store_usage_sample_s ?? 3600) * 1000,
    usageFlushMs: file.usage_flush_ms ?? 1000,
    budgets: Object.assign(Object.create(null) as Record<string, Budget>, file.budgets),
  };
}
