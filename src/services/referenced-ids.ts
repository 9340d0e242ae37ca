import type { MessageCreateParams } from 'openai/resources/beta/threads/messages';
import { notFound } from '../errors.js';
import type { Db } from '../store/database.js';
import { findFileIds } from '../store/repos/files.repo.js';
import { findVectorStoreIds } from '../store/repos/vector-stores.repo.js';

/**
 * Ids of other objects that a request refers to (files, vector stores). A write stores them only after
 * checkReferencedIds() found every one among the caller's own: another tenant's id is as unknown as a made-up one.
 */

/** An id and the request field it came from, written as OpenAI writes params (`messages[0].attachments[1].file_id`). */
export interface IdRef {
  id: string;
  param: string;
}

export interface ReferencedIds {
  files: IdRef[];
  vectorStores: IdRef[];
}

/** tool_resources as assistants, threads and createAndRun take it. */
export interface ToolResourcesIds {
  code_interpreter?: { file_ids?: readonly string[] | null } | null;
  file_search?: {
    vector_store_ids?: readonly string[] | null;
    vector_stores?: ReadonlyArray<{ file_ids?: readonly string[] | null }> | null;
  } | null;
}

type MessageIds = Pick<MessageCreateParams, 'content' | 'attachments'>;

/** Above this many ids of one kind, the lookup is split (SQLite binds at most 32766 parameters per statement). */
const IDS_PER_QUERY = 1000;

const join = (prefix: string, field: string) => (prefix ? `${prefix}.${field}` : field);

/** Each id of `ids` with its place: `file_ids[0]`, `file_ids[1]`… */
export function idsAt(ids: readonly string[] | null | undefined, param: string): IdRef[] {
  return (ids ?? []).map((id, i) => ({ id, param: `${param}[${i}]` }));
}

export function fileIds(ids: readonly string[] | null | undefined, param: string): ReferencedIds {
  return { files: idsAt(ids, param), vectorStores: [] };
}

export function toolResourcesIds(value: ToolResourcesIds | null | undefined, param = 'tool_resources'): ReferencedIds {
  const fileSearch = value?.file_search;
  const helperFiles = (fileSearch?.vector_stores ?? []).flatMap((store, i) =>
    idsAt(store.file_ids, join(param, `file_search.vector_stores[${i}].file_ids`)),
  );
  return {
    files: [...idsAt(value?.code_interpreter?.file_ids, join(param, 'code_interpreter.file_ids')), ...helperFiles],
    vectorStores: idsAt(fileSearch?.vector_store_ids, join(param, 'file_search.vector_store_ids')),
  };
}

/** The files of a message: its attachments and its `image_file` content parts. */
export function messageIds(message: MessageIds, param = ''): ReferencedIds {
  const files: IdRef[] = [];
  (message.attachments ?? []).forEach((a, i) => {
    if (a.file_id !== undefined) files.push({ id: a.file_id, param: join(param, `attachments[${i}].file_id`) });
  });
  if (Array.isArray(message.content))
    message.content.forEach((part, i) => {
      if (part.type === 'image_file') files.push({ id: part.image_file.file_id, param: join(param, `content[${i}].image_file.file_id`) });
    });
  return { files, vectorStores: [] };
}

export function messagesIds(messages: readonly MessageIds[] | null | undefined, param: string): ReferencedIds {
  const each = (messages ?? []).map((m, i) => messageIds(m, `${param}[${i}]`));
  return { files: each.flatMap((r) => r.files), vectorStores: [] };
}

/**
 * 404 "No file found with id '…'." (or vector store), `param` naming the field, for the first id that is not
 * the tenant's. One query per kind of id, whatever the number of ids.
 */
export async function checkReferencedIds(db: Db, tenantId: string, ...refs: ReferencedIds[]): Promise<void> {
  await checkKind(
    refs.flatMap((r) => r.files),
    'file',
    (ids) => findFileIds(db, tenantId, ids),
  );
  await checkKind(
    refs.flatMap((r) => r.vectorStores),
    'vector store',
    (ids) => findVectorStoreIds(db, tenantId, ids),
  );
}

async function checkKind(refs: IdRef[], kind: string, find: (ids: string[]) => Promise<Set<string>>): Promise<void> {
  if (refs.length === 0) return;
  const unique = [...new Set(refs.map((r) => r.id))];
  const found = new Set<string>();
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY)
    for (const id of await find(unique.slice(i, i + IDS_PER_QUERY))) found.add(id);
  const missing = refs.find((r) => !found.has(r.id));
  if (missing) throw notFound(kind, missing.id, missing.param);
}
