import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Deps } from '../deps.js';
import { invalidRequest } from '../errors.js';
import {
  cancelFileBatch,
  createFileBatch,
  listBatchFiles,
  retrieveFileBatch,
  type FileBatchView,
} from '../services/vector-store-file-batches.service.js';
import {
  createVectorStoreFile,
  deleteVectorStoreFile,
  listVectorStoreFiles,
  retrieveVectorStoreFile,
  retrieveVectorStoreFileContent,
  updateVectorStoreFile,
} from '../services/vector-store-files.service.js';
import { searchVectorStore } from '../services/vector-store-search.service.js';
import {
  createVectorStore,
  deleteVectorStore,
  listVectorStores,
  retrieveVectorStore,
  updateVectorStore,
  type VectorStoreView,
} from '../services/vector-stores.service.js';
import {
  toSearchResultItem,
  toVectorStoreDeleted,
  toVectorStoreFileBatchObject,
  toVectorStoreFileDeleted,
  toVectorStoreFileObject,
  toVectorStoreObject,
} from '../store/serialize-vector-stores.js';
import type { VectorStoreFileRow, VectorStoreFileStatus } from '../store/tables/vector-stores.table.js';
import { parseListQuery, toListPage } from './pagination.js';
import { parseRequest } from './schemas/common.schema.js';
import {
  createFileBatchSchema,
  createVectorStoreFileSchema,
  createVectorStoreSchema,
  FILE_STATUS_FILTERS,
  searchVectorStoreSchema,
  updateVectorStoreFileSchema,
  updateVectorStoreSchema,
} from './schemas/vector-stores.schema.js';

type StoreParams = { Params: { vector_store_id: string } };
type FileParams = { Params: { vector_store_id: string; file_id: string } };
type BatchParams = { Params: { vector_store_id: string; batch_id: string } };

/** The SDK's pollers (uploadAndPoll, createAndPoll…) wait this long between retrieves of work in progress. */
const POLL_AFTER_MS = '200';

/** The list `filter` query parameter: a file status. */
function parseStatusFilter(query: unknown): VectorStoreFileStatus | undefined {
  const value = (query as Record<string, unknown> | undefined)?.filter;
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && (FILE_STATUS_FILTERS as readonly string[]).includes(value))
    return value as VectorStoreFileStatus;
  throw invalidRequest(
    `Invalid value: '${String(value)}'. Supported values are: 'in_progress', 'completed', 'failed', and 'cancelled'.`,
    'filter',
    'invalid_value',
  );
}

/** /vector_stores…: stores, their files, file batches, and search. */
export function vectorStoresRoutes(deps: Deps): FastifyPluginAsync {
  const nowS = () => Math.floor(deps.clock.now() / 1000);
  const storeReply = (reply: FastifyReply, { row, stats }: VectorStoreView) => {
    const store = toVectorStoreObject(row, stats, nowS());
    if (store.status === 'in_progress') reply.header('openai-poll-after-ms', POLL_AFTER_MS);
    return store;
  };
  const fileReply = (reply: FastifyReply, row: VectorStoreFileRow) => {
    if (row.status === 'in_progress') reply.header('openai-poll-after-ms', POLL_AFTER_MS);
    return toVectorStoreFileObject(row);
  };
  const batchReply = (reply: FastifyReply, { row, stats }: FileBatchView) => {
    const batch = toVectorStoreFileBatchObject(row, stats);
    if (batch.status === 'in_progress') reply.header('openai-poll-after-ms', POLL_AFTER_MS);
    return batch;
  };

  return async (app) => {
    app.post('/vector_stores', async (req, reply) => {
      const params = parseRequest(createVectorStoreSchema, req.body);
      return storeReply(reply, await createVectorStore(deps, req.caller.tenantId, params));
    });
    app.get('/vector_stores', async (req) => {
      const { views, hasMore } = await listVectorStores(deps, req.caller.tenantId, parseListQuery(req.query));
      return toListPage(
        views.map((v) => toVectorStoreObject(v.row, v.stats, nowS())),
        hasMore,
      );
    });
    app.get<StoreParams>('/vector_stores/:vector_store_id', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id };
      return storeReply(reply, await retrieveVectorStore(deps, ref));
    });
    app.post<StoreParams>('/vector_stores/:vector_store_id', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id };
      return storeReply(reply, await updateVectorStore(deps, ref, parseRequest(updateVectorStoreSchema, req.body)));
    });
    app.delete<StoreParams>('/vector_stores/:vector_store_id', async (req) => {
      await deleteVectorStore(deps, { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id });
      return toVectorStoreDeleted(req.params.vector_store_id);
    });
    app.post<StoreParams>('/vector_stores/:vector_store_id/search', async (req) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id };
      const { queries, results } = await searchVectorStore(deps, ref, parseRequest(searchVectorStoreSchema, req.body));
      return {
        object: 'vector_store.search_results.page' as const,
        search_query: queries,
        data: results.map(toSearchResultItem),
        has_more: false,
        next_page: null,
      };
    });

    app.post<StoreParams>('/vector_stores/:vector_store_id/files', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id };
      return fileReply(reply, await createVectorStoreFile(deps, ref, parseRequest(createVectorStoreFileSchema, req.body)));
    });
    app.get<StoreParams>('/vector_stores/:vector_store_id/files', async (req) => {
      const scope = {
        tenantId: req.caller.tenantId,
        vectorStoreId: req.params.vector_store_id,
        status: parseStatusFilter(req.query),
      };
      const { rows, hasMore } = await listVectorStoreFiles(deps, scope, parseListQuery(req.query));
      return toListPage(rows.map(toVectorStoreFileObject), hasMore);
    });
    app.get<FileParams>('/vector_stores/:vector_store_id/files/:file_id', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id, fileId: req.params.file_id };
      return fileReply(reply, await retrieveVectorStoreFile(deps, ref));
    });
    app.post<FileParams>('/vector_stores/:vector_store_id/files/:file_id', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id, fileId: req.params.file_id };
      const { attributes } = parseRequest(updateVectorStoreFileSchema, req.body);
      return fileReply(reply, await updateVectorStoreFile(deps, ref, attributes));
    });
    app.delete<FileParams>('/vector_stores/:vector_store_id/files/:file_id', async (req) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id, fileId: req.params.file_id };
      await deleteVectorStoreFile(deps, ref);
      return toVectorStoreFileDeleted(req.params.file_id);
    });
    app.get<FileParams>('/vector_stores/:vector_store_id/files/:file_id/content', async (req) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id, fileId: req.params.file_id };
      const data = await retrieveVectorStoreFileContent(deps, ref);
      return { object: 'vector_store.file_content.page' as const, data, has_more: false, next_page: null };
    });

    app.post<StoreParams>('/vector_stores/:vector_store_id/file_batches', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id };
      return batchReply(reply, await createFileBatch(deps, ref, parseRequest(createFileBatchSchema, req.body)));
    });
    app.get<BatchParams>('/vector_stores/:vector_store_id/file_batches/:batch_id', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id, batchId: req.params.batch_id };
      return batchReply(reply, await retrieveFileBatch(deps, ref));
    });
    app.post<BatchParams>('/vector_stores/:vector_store_id/file_batches/:batch_id/cancel', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, vectorStoreId: req.params.vector_store_id, batchId: req.params.batch_id };
      return batchReply(reply, await cancelFileBatch(deps, ref));
    });
    app.get<BatchParams>('/vector_stores/:vector_store_id/file_batches/:batch_id/files', async (req) => {
      const ref = {
        tenantId: req.caller.tenantId,
        vectorStoreId: req.params.vector_store_id,
        batchId: req.params.batch_id,
        status: parseStatusFilter(req.query),
      };
      const { rows, hasMore } = await listBatchFiles(deps, ref, parseListQuery(req.query));
      return toListPage(rows.map(toVectorStoreFileObject), hasMore);
    });
  };
}
