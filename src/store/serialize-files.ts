import type { FileDeleted, FileObject } from 'openai/resources/files';
import type { FileRow } from './tables/files.table.js';

/**
 * The file object as OpenAI sends it. The SDK types `expires_at` and `status_details` as optional, but the API
 * sends them as explicit nulls when unset, and `evals` is an upload purpose the SDK's FileObject does not list.
 */
export type FileObjectWire = Omit<FileObject, 'purpose' | 'expires_at' | 'status_details'> & {
  purpose: FileObject['purpose'] | 'evals';
  expires_at: number | null;
  status_details: string | null;
};

export function toFileObject(row: FileRow): FileObjectWire {
  return {
    id: row.id,
    object: 'file',
    bytes: Number(row.bytes),
    created_at: Number(row.created_at),
    filename: row.filename,
    purpose: row.purpose as FileObjectWire['purpose'],
    status: row.status as FileObject['status'],
    status_details: row.status_details,
    expires_at: row.expires_at === null ? null : Number(row.expires_at),
  };
}

export const toFileDeleted = (id: string): FileDeleted => ({ id, object: 'file', deleted: true });
