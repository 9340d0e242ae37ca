import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageCreateParams } from 'openai/resources/beta/threads/messages';
import type { IdGenerator } from '../ids.js';
import type { Db } from '../store/database.js';
import { fromJson, toJson } from '../store/json.js';
import { nextSeq } from '../store/seq.js';
import { findThread, updateThreadRow } from '../store/repos/threads.repo.js';
import { findVectorStore, insertVectorStore } from '../store/repos/vector-stores.repo.js';
import { anyFileInProgress } from '../store/repos/vector-store-files.repo.js';
import { attachFiles } from './vector-store-files.service.js';
import { expiresAt } from './vector-stores.service.js';

/** OpenAI's thread vector stores expire 7 days after they were last active. */
const THREAD_STORE_EXPIRY = { anchor: 'last_active_at', days: 7 } as const;

type ToolResources = { file_search?: { vector_store_ids?: string[] }; [tool: string]: unknown };

type AttachOpts = { tenantId: string; threadId: string; nowMs: number; ids: IdGenerator };

/**
 * Files attached to messages with the file_search tool go into the thread's own vector store,
 * created on demand as OpenAI does, and are ingested in the background. Call inside the
 * transaction that inserts the messages, once the files are known to be the tenant's (checkReferencedIds).
 */
export async function indexFileSearchAttachments(
  db: Db,
  opts: AttachOpts & { messages: readonly MessageCreateParams[] },
): Promise<void> {
  const fileIds = opts.messages.flatMap((m) =>
    (m.attachments ?? []).filter((a) => a.tools?.some((t) => t.type === 'file_search') && a.file_id).map((a) => a.file_id!),
  );
  if (fileIds.length === 0) return;
  const thread = await findThread(db, opts.tenantId, opts.threadId);
  if (!thread) return;
  const vectorStoreId = await threadVectorStore(db, opts, fromJson<ToolResources>(thread.tool_resources, {}));
  await attachFiles(db, { tenantId: opts.tenantId, vectorStoreId, files: fileIds.map((file_id) => ({ file_id })), nowMs: opts.nowMs });
}

/**
 * The id of the thread's vector store: the one its tool_resources names if the tenant has it, else a new one
 * that replaces it there (the named one was deleted, or was never the tenant's: stored before ids were checked).
 */
async function threadVectorStore(db: Db, opts: AttachOpts, resources: ToolResources): Promise<string> {
  const named = resources.file_search?.vector_store_ids?.[0];
  if (named && (await findVectorStore(db, opts.tenantId, named))) return named;
  const nowS = Math.floor(opts.nowMs / 1000);
  const expiry = toJson(THREAD_STORE_EXPIRY);
  const store = await insertVectorStore(db, {
    id: opts.ids('vs'),
    tenant_id: opts.tenantId,
    seq: nextSeq(opts.nowMs),
    created_at: nowS,
    name: null,
    description: null,
    metadata: '{}',
    expires_after: expiry,
    expires_at: expiresAt(expiry, nowS),
    last_active_at: nowS,
  });
  resources.file_search = { ...resources.file_search, vector_store_ids: [store.id] };
  await updateThreadRow(db, opts.tenantId, opts.threadId, { tool_resources: toJson(resources) });
  return store.id;
}

/**
 * Waits until no file of the stores is still being ingested (bounded), so a run's search sees the
 * files attached just before it, as OpenAI's runs do.
 */
export async function waitForIngestion(
  db: Db,
  opts: { vectorStoreIds: readonly string[]; signal?: AbortSignal; timeoutMs?: number },
): Promise<void> {
  if (opts.vectorStoreIds.length === 0) return;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (!(await anyFileInProgress(db, opts.vectorStoreIds))) return;
    await sleep(100, undefined, { signal: opts.signal });
  }
}
