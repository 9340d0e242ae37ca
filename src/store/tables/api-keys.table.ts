import type { Generated, Insertable, Selectable } from 'kysely';

/** A project's API key: only its sha256 is kept, and a redacted form to show. */
export interface ApiKeysTable {
  id: string;
  project_id: string;
  /** The service account that owns it. */
  owner_id: string;
  name: string;
  /** sha256 of the key, hex. */
  key_hash: string;
  redacted_value: string;
  created_at: number;
  last_used_at: number | null;
  /** Unix seconds after which the key is refused; null: never. */
  expires_at: number | null;
  /** 1: imported from the configuration (env, YAML) at start, and deleted at a start that no longer configures it. */
  imported: Generated<number>;
  seq: number;
}
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;

/** An organization admin API key: reaches /v1/organization/… only. */
export interface AdminApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  redacted_value: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  /** 1: SWITCHBOARD_ADMIN_KEY or YAML admin_key, deleted at a start that no longer configures it. */
  imported: Generated<number>;
  seq: number;
}
export type AdminApiKeyRow = Selectable<AdminApiKeysTable>;
export type NewAdminApiKeyRow = Insertable<AdminApiKeysTable>;
