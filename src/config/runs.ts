import { join } from 'node:path';
import { z } from 'zod';

/** YAML: how runs execute, and the context windows their prompts are fitted into. */
export const runsSection = z.object({
  /** Tokens a model's context holds (what truncation_strategy `auto` fits a thread into), by model name. */
  context_windows: z.record(z.string(), z.number().int().min(256)).default({}),
  runs: z
    .object({
      /** A worker's claim on a run, renewed every third of it; another instance takes the run over when it lapses. */
      lease_ms: z.number().int().min(100).optional(),
      /** A run whose model goes silent this long (no first token, no next token) fails with last_error. */
      stall_timeout_ms: z.number().int().min(10).optional(),
      poll_ms: z.number().int().min(10).optional(),
      /** Runs executing at once in one process (0: this instance executes none). */
      concurrency: z.number().int().min(0).optional(),
    })
    .strict()
    .default({}),
});

export interface RunsConfig {
  /** Context window in tokens by model name (YAML `context_windows`). */
  contextWindows: Record<string, number>;
  runs: { leaseMs?: number; pollMs?: number; concurrency?: number; stallTimeoutMs?: number; identityFile: string };
}

export function runsConfig(opts: { file: z.infer<typeof runsSection>; dataDir: string }): RunsConfig {
  const { runs } = opts.file;
  return {
    contextWindows: opts.file.context_windows,
    runs: {
      leaseMs: runs.lease_ms,
      pollMs: runs.poll_ms,
      concurrency: runs.concurrency,
      stallTimeoutMs: runs.stall_timeout_ms,
      // The run worker's id survives a restart, so the instance takes back its own runs at once.
      identityFile: join(opts.dataDir, 'instance-id'),
    },
  };
}
