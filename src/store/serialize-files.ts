import type { FileDeleted, FileObject } from 'openai/resources/files';
import type { FileRow } from './tables/files.table.js';

/**
 * The file object as OpenAI sends it. `expires_at` is an integer in the spec (optional in the SDK's types), so a
 * file that never expires has none; `status_details` is sent as an explicit null when unset, and `evals` is an
 * upload purpose the SDK's FileObject does not list.
 */
export type FileObjectWire = Omit<FileObject, 'purpose' | 'status_details'> & {
  purpose: FileObject['purpose'] | 'evals';
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
    ...(row.expires_at !== null && { expires_at: Number(row.expires_at) }),
  };
}

export const toFileDeleted = (id: string): FileDeleted => ({ id, object: 'file', deleted: true });
