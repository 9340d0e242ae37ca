import { Readable } from 'node:stream';
import type { MessageCreateParams } from 'openai/resources/beta/threads/messages';
import type { Deps } from '../deps.js';
import { fromJson } from '../store/json.js';
import { listSessionFiles, recordSessionFile } from '../store/repos/code-interpreter-files.repo.js';
import { findFile } from '../store/repos/files.repo.js';
import { listThreadAttachments } from '../store/repos/messages.repo.js';
import type { CodeInterpreterFiles } from '../tools/code-interpreter.js';
import { createFile, getFile, readFileBytes, storeUpload } from './files.service.js';

type Attachment = NonNullable<MessageCreateParams['attachments']>[number];

/**
 * code_interpreter's view of the files service: the run's input files (the assistant's and the
 * thread's `tool_resources.code_interpreter.file_ids`, then files attached to the thread's messages
 * for code_interpreter), their bytes, and the Files its code makes (purpose `assistants_output`).
 * Files deleted meanwhile are left out. What the session wrote is remembered by path (code_interpreter_files),
 * so that a session started anew for the thread — on another instance, or after a restart or an idle end —
 * gets its /mnt/data back.
 */
export function codeInterpreterFiles(deps: Pick<Deps, 'store' | 'storage' | 'clock' | 'ids' | 'log'>): CodeInterpreterFiles {
  const db = deps.store.db;
  return {
    async inputs(ctx) {
      const resources = (ctx.toolResources?.code_interpreter ?? {}) as { file_ids?: unknown };
      const ids = Array.isArray(resources.file_ids) ? resources.file_ids.filter((id): id is string => typeof id === 'string') : [];
      for (const raw of await listThreadAttachments(db, ctx.tenantId, ctx.threadId))
        for (const a of fromJson<Attachment[]>(raw, []))
          if (a.file_id && a.tools?.some((t) => t.type === 'code_interpreter')) ids.push(a.file_id);
      const files: Array<{ fileId: string; filename: string }> = [];
      for (const id of new Set(ids)) {
        const row = await findFile(db, ctx.tenantId, id);
        if (row) files.push({ fileId: row.id, filename: row.filename });
      }
      return files;
    },
    async read(tenantId, fileId) {
      return readFileBytes(deps, await getFile(db, tenantId, fileId));
    },
    async save(tenantId, filename, bytes) {
      const upload = await storeUpload(deps, Readable.from([bytes]), Math.max(bytes.length, 1));
      const row = await createFile(deps, tenantId, { upload, filename, purpose: 'assistants_output' });
      return { fileId: row.id };
    },
    async remember(ctx, path, fileId) {
      const row = { tenant_id: ctx.tenantId, thread_id: ctx.threadId, path, file_id: fileId };
      await recordSessionFile(db, { ...row, created_at: Math.floor(deps.clock.now() / 1000) });
    },
    async written(ctx) {
      const files: Array<{ fileId: string; path: string }> = [];
      for (const r of await listSessionFiles(db, ctx.tenantId, ctx.threadId))
        if (await findFile(db, ctx.tenantId, r.file_id)) files.push({ fileId: r.file_id, path: r.path });
      return files;
    },
  };
}
