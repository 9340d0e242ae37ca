import type { FileDeleted, FileObject } from 'openai/resources/files';
import type { FileRow } from './tables/files.table.js';

/**
 * The file object as OpenAI's spec and the SDK's types have it. `expires_at` and the deprecated `status_details`
 * are an integer and a string there (optional in the SDK's types), so a file that never expires, or has no
 * details, has none; `evals` is an upload purpose the SDK's FileObject does not list.
 */
export type FileObjectWire = Omit<FileObject, 'purpose'> & { purpose: FileObject['purpose'] | 'evals' };

export function toFileObject(row: FileRow): FileObjectWire {
  return {
    id: row.id,
    object: 'file',
    bytes: Number(row.bytes),
    created_at: Number(row.created_at),
    filename: row.filename,
    purpose: row.purpose as FileObjectWire['purpose'],
    status: row.status as FileObject['status'],
    ...(row.status_details !== null && { status_details: row.status_details }),
    ...(row.expires_at !== null && { expires_at: Number(row.expires_at) }),
  };
}

export const toFileDeleted = (id: string): FileDeleted => ({ id, object: 'file', deleted: true });
