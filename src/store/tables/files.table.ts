import type { Insertable, Selectable } from 'kysely';

/** Uploaded files. Timestamps are unix seconds; the bytes are in file storage under `storage_key`. */
export interface FilesTable {
  id: string;
  tenant_id: string;
  /** Creation order (unique, increasing): the list cursor. */
  seq: number;
  created_at: number;
  bytes: number;
  filename: string;
  purpose: string;
  /** `uploaded` | `processed` | `error` (deprecated by OpenAI; always `processed` here). */
  status: string;
  status_details: string | null;
  expires_at: number | null;
  storage_key: string;
}
export type FileRow = Selectable<FilesTable>;
export type NewFileRow = Insertable<FilesTable>;
