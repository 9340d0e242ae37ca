import { z } from 'zod';

/** YAML: the model file_search embeds with. */
export const embeddingsSection = z.object({
  embeddings: z
    .object({
      /** The model file_search embeds with: the local encoder (default) or any upstream embeddings model. */
      retrieval_model: z.string().min(1).optional(),
    })
    .strict()
    .default({}),
});

export interface EmbeddingsConfig {
  /** The embeddings model file_search uses (YAML `embeddings.retrieval_model`). */
  retrievalEmbeddingModel: string;
}

export function embeddingsConfig(file: z.infer<typeof embeddingsSection>): EmbeddingsConfig {
  return { retrievalEmbeddingModel: file.embeddings.retrieval_model ?? 'universal-sentence-encoder' };
}
