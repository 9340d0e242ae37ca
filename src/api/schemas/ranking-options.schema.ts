/** `ranking_options.hybrid_search` (spec: HybridSearchOptions), shared by vector store search and the Responses file_search tool. */
import { z } from 'zod';
import { DECIMAL } from './zod-to-api-error.js';

/** Both weights required, each a non-negative number, not both 0 (fusion divides by their sum). */
export const hybridSearchSchema = z
  .looseObject({
    embedding_weight: z.number().min(0, DECIMAL),
    text_weight: z.number().min(0, DECIMAL),
  })
  .refine((w) => w.embedding_weight + w.text_weight > 0, {
    params: { code: 'invalid_value', detail: 'embedding_weight and text_weight cannot both be 0.' },
  });
