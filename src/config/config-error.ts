import type { z } from 'zod';

/** A configuration that cannot start the server; the message names the field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One line per issue: `<source>: <dotted path>: <message>`. */
export function formatZodError(err: z.ZodError, source: string): string {
  return err.issues
    .map((i) => `${source}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('\n');
}
