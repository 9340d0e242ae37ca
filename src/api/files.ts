import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { ApiError, invalidRequest } from '../errors.js';
import {
  createFile,
  deleteFile,
  discardUpload,
  FILE_PURPOSES,
  listFiles,
  openFileContent,
  retrieveFile,
  storeUpload,
  type StoredUpload,
} from '../services/files.service.js';
import type { FileRow } from '../store/tables/files.table.js';
import { toFileDeleted, toFileObject } from '../store/serialize-files.js';
import { parseListQuery, toListPage, type ListQuery } from './pagination.js';
import { parseRequest } from './schemas/common.schema.js';

type ById = { Params: { file_id: string } };

const createFileSchema = z.object({
  purpose: z.enum(FILE_PURPOSES),
  expires_after: z
    .object({
      anchor: z.literal('created_at'),
      seconds: z.coerce.number().int('integer').min(3600, 'integer').max(2_592_000, 'integer'),
    })
    .optional(),
});

/** /files: upload (multipart), list, retrieve, delete, content. */
export function filesRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    // Scoped to this plugin. The storage enforces the size limit while streaming; busboy's own limit
    // (one byte more) only stops parsing a body that is already being refused.
    await app.register(multipart, {
      limits: { fileSize: deps.config.fileLimitBytes + 1, fields: 100, fieldSize: 1024 * 1024 },
      throwFileSizeLimit: false,
    });

    app.post('/files', async (req, reply) => toFileObject(await receiveUpload(deps, req, reply)));
    app.get('/files', async (req) => {
      const { query, purpose } = parseFileListQuery(req.query);
      const { rows, hasMore } = await listFiles(deps, req.caller.tenantId, { query, purpose });
      return toListPage(rows.map(toFileObject), hasMore);
    });
    app.get<ById>('/files/:file_id', async (req) => {
      return toFileObject(await retrieveFile(deps, { tenantId: req.caller.tenantId, fileId: req.params.file_id }));
    });
    app.delete<ById>('/files/:file_id', async (req) => {
      await deleteFile(deps, { tenantId: req.caller.tenantId, fileId: req.params.file_id });
      return toFileDeleted(req.params.file_id);
    });
    app.get<ById>('/files/:file_id/content', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, fileId: req.params.file_id };
      const { row, stream } = await openFileContent(deps, ref);
      return reply
        .type('application/octet-stream')
        .header('content-length', row.bytes)
        .header('content-disposition', contentDisposition(row.filename))
        .send(stream);
    });
  };
}

/**
 * Reads the multipart body in the order it arrives (the SDK sends `file` before `purpose`): the file is
 * streamed to storage under its new id, the fields are validated once the body is complete, and the bytes
 * are removed again if anything fails.
 */
async function receiveUpload(deps: Deps, req: FastifyRequest, reply: FastifyReply): Promise<FileRow> {
  if (!req.isMultipart())
    throw invalidRequest("Invalid Content-Type: expected 'multipart/form-data' with a 'file' and a 'purpose'.");
  const fields: FormFields = Object.create(null);
  let upload: StoredUpload | undefined;
  let filename = 'file';
  const parser: ParserState = { error: undefined };
  try {
    for await (const part of parserGuard(req.parts(), parser)) {
      if (part.type === 'field') setField(fields, part.fieldname, part.value);
      else if (part.fieldname !== 'file' || upload) await drain(watch(part.file, parser));
      else {
        filename = part.filename || 'file';
        if (filename.includes('\0'))
          throw invalidRequest("Invalid 'file': its file name may not contain the null character (\\u0000).", 'file', 'invalid_value');
        upload = await storeUpload(deps, watch(part.file, parser), deps.config.fileLimitBytes);
      }
    }
    if (!upload) {
      if (fields.file !== undefined)
        throw invalidRequest("Invalid type for 'file': expected a file, but got a string instead.", 'file', 'invalid_type');
      throw invalidRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
    }
    const params = parseRequest(createFileSchema, fields);
    return await createFile(deps, req.caller.tenantId, {
      upload,
      filename,
      purpose: params.purpose,
      expiresAfterSeconds: params.expires_after?.seconds,
    });
  } catch (err) {
    if (upload) await discardUpload(deps, upload);
    if (!req.raw.complete) {
      // The rest of the body is still coming: read it off and close the connection after the error, as
      // Fastify does for a body it refuses. Keeping it open would parse the leftover bytes as a request.
      reply.header('connection', 'close');
      req.raw.resume();
    }
    throw parser.error && !(err instanceof ApiError) ? malformedForm(parser.error) : err;
  }
}

/** The first error the multipart parser raised, if any: then whatever failed after it failed because of it. */
interface ParserState {
  error: unknown;
}

/**
 * busboy's own errors (no boundary, a boundary the body does not use, a body cut short, a bad part header) are the
 * client's: 400. Errors that carry a status (@fastify/multipart's limits) keep it.
 */
const malformedForm = (err: unknown): unknown =>
  typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number'
    ? err
    : invalidRequest(`Invalid multipart/form-data body: ${err instanceof Error ? err.message : 'it could not be parsed'}.`);

/** Notes an error the multipart parser throws while it hands out parts, so it can be told from a storage error. */
async function* parserGuard<T>(parts: AsyncIterable<T>, parser: ParserState): AsyncGenerator<T> {
  const it = parts[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await it.next();
    } catch (err) {
      parser.error ??= err;
      throw err;
    }
    if (next.done) return;
    yield next.value;
  }
}

/** The same for the errors a part's file stream emits (a body that ends inside a file). */
function watch(file: Readable, parser: ParserState): Readable {
  if (file.errored) parser.error ??= file.errored;
  file.once('error', (err: unknown) => {
    parser.error ??= err;
  });
  return file;
}

/** Names that reach an object's prototype when used as keys; refused wherever a client picks the key. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type FormFields = Record<string, unknown>;

/**
 * `expires_after[seconds]` → `{ expires_after: { seconds } }`; other names are kept as they are. The objects have
 * no prototype, and a name with a `__proto__`, `constructor` or `prototype` part is refused: `__proto__[instructions]`
 * would otherwise write to Object.prototype, for every tenant, until a restart.
 */
function setField(fields: FormFields, name: string, value: unknown): void {
  if (name.split(/[[\]]+/).some((key) => PROTOTYPE_KEYS.has(key)))
    throw invalidRequest(`Invalid field name '${name}': it may not contain '__proto__', 'constructor' or 'prototype'.`, name, 'invalid_value');
  const m = /^([A-Za-z_]+)\[([A-Za-z_]+)\]$/.exec(name);
  if (!m) {
    fields[name] = value;
    return;
  }
  const outer = fields[m[1]!];
  const nested: FormFields = typeof outer === 'object' && outer !== null ? (outer as FormFields) : Object.create(null);
  nested[m[2]!] = value;
  fields[m[1]!] = nested;
}

/** A file part that is not wanted still has to be read for the parser to reach the next part. */
async function drain(stream: Readable): Promise<void> {
  await finished(stream.resume());
}

/** `limit` 1..10,000 (default 10,000, as OpenAI's list files), `order`, `after`, and a `purpose` filter. */
function parseFileListQuery(raw: unknown): { query: ListQuery; purpose?: string } {
  const q = (raw ?? {}) as Record<string, unknown>;
  const query = parseListQuery({ ...q, limit: undefined });
  query.limit = 10_000;
  if (q.limit !== undefined && q.limit !== '') {
    const limit = Number(q.limit);
    if (!Number.isInteger(limit))
      throw invalidRequest(`Invalid 'limit': expected an integer, but got '${String(q.limit)}' instead.`, 'limit', 'invalid_type');
    if (limit < 1 || limit > 10_000) {
      const [what, op, code] = limit < 1 ? ['below minimum', '>= 1', 'below_min'] : ['above maximum', '<= 10000', 'above_max'];
      throw invalidRequest(
        `Invalid 'limit': integer ${what} value. Expected a value ${op}, but got ${limit} instead.`,
        'limit',
        `integer_${code}_value`,
      );
    }
    query.limit = limit;
  }
  const purpose = typeof q.purpose === 'string' && q.purpose !== '' ? q.purpose : undefined;
  return { query, purpose };
}

/** `attachment; filename="…"`, with the UTF-8 name in `filename*` when it is not plain ASCII. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (ascii === filename) return `attachment; filename="${filename}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
