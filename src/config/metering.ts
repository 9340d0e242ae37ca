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

/** YAML: prices, and how usage is recorded. */
export const meteringSection = z.object({
  prices: z.record(z.string(), priceSchema).default({}),
  tool_prices: toolPricesSchema.prefault({}),
  /** How often the vector stores' stored bytes are sampled for usage and GB-day costs. */
  vector_store_usage_sample_s: z.number().int().min(1).max(86_400).optional(),
  usage_flush_ms: z.number().int().positive().optional(),
});

export type Price = z.infer<typeof priceSchema>;
export type ToolPrices = z.infer<typeof toolPricesSchema>;

export interface MeteringConfig {
  prices: Record<string, Price>;
  toolPrices: ToolPrices;
  /** Interval between samples of the vector stores' stored bytes. */
  vectorStoreSampleMs: number;
  usageFlushMs: number;
}

export function meteringConfig(file: z.infer<typeof meteringSection>): MeteringConfig {
  return {
    prices: file.prices,
    toolPrices: file.tool_prices,
    vectorStoreSampleMs: (file.vector_store_usage_sample_s ?? 3600) * 1000,
    usageFlushMs: file.usage_flush_ms ?? 1000,
  };
}
