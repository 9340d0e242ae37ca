import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { INTEGER } from './zod-to-api-error.js';

/** Request bodies and queries of the organization API (admin keys, projects, service accounts). */

const name = z.string().min(1).max(256);

export const createProjectSchema = z.object({ name });
export const updateProjectSchema = z.object({ name: name.nullish() });

export const createServiceAccountSchema = z.object({
  name,
  create_service_account_only: z.boolean().nullish(),
  /** Switchboard's extension: unix seconds after which the key is refused. */
  expires_at: z.int({ error: INTEGER }).min(1, INTEGER).nullish(),
});

export const updateServiceAccountSchema = z.object({ name: name.nullish() });

export const createServiceAccountKeySchema = z.object({
  name: name.nullish(),
  expires_at: z.int({ error: INTEGER }).min(1, INTEGER).nullish(),
});

export const createAdminApiKeySchema = z.object({
  name,
  expires_in_seconds: z.int({ error: INTEGER }).min(1, INTEGER).max(31_536_000, INTEGER).nullish(),
});

/** `include_archived` of GET /organization/projects: `true` or `false`. */
export function parseIncludeArchived(query: unknown): boolean {
  const v = (query as Record<string, unknown> | undefined)?.include_archived;
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw invalidRequest(`Invalid 'include_archived': expected true or false, but got '${String(v)}' instead.`, 'include_archived', 'invalid_type');
}
