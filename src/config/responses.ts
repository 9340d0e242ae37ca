import { z } from 'zod';
import type { EnvVars } from './env.js';

/** YAML: the Responses API. */
export const responsesSection = z.object({
  responses: z
    .object({
      /**
       * Seconds a `background: true, store: false` response is kept for polling after its end; then it and all its
       * rows are deleted (OpenAI: "the API deletes the response after about 10 minutes").
       */
      unstored_background_ttl_s: z.number().int().min(1).optional(),
    })
    .strict()
    .default({}),
});

export interface ResponsesConfig {
  responses: { unstoredBackgroundTtlS: number };
}

/** OpenAI's "about 10 minutes". */
const UNSTORED_BACKGROUND_TTL_S = 600;

/** The environment wins over the file. */
export function responsesConfig(opts: { file: z.infer<typeof responsesSection>; vars: EnvVars }): ResponsesConfig {
  const { file, vars } = opts;
  return {
    responses: {
      unstoredBackgroundTtlS: vars.SWITCHBOARD_UNSTORED_BACKGROUND_TTL_S ?? file.responses.unstored_background_ttl_s ?? UNSTORED_BACKGROUND_TTL_S,
    },
  };
}
