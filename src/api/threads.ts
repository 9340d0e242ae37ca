import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { createThread, deleteThread, retrieveThread, updateThread } from '../services/threads.service.js';
import { toThreadDeleted, toThreadObject } from '../store/serialize.js';
import { parseRequest } from './schemas/common.schema.js';
import { createThreadSchema, updateThreadSchema } from './schemas/threads.schema.js';

type ById = { Params: { thread_id: string } };

/** /threads: create (with initial messages), retrieve, modify, delete. Messages and runs have their own modules. */
export function threadsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.post('/threads', async (req) => {
      const { thread } = await createThread(deps, req.caller.tenantId, parseRequest(createThreadSchema, req.body));
      return toThreadObject(thread);
    });
    app.get<ById>('/threads/:thread_id', async (req) =>
      toThreadObject(await retrieveThread(deps, { tenantId: req.caller.tenantId, threadId: req.params.thread_id })),
    );
    app.post<ById>('/threads/:thread_id', async (req) => {
      const ref = { tenantId: req.caller.tenantId, threadId: req.params.thread_id };
      return toThreadObject(await updateThread(deps, ref, parseRequest(updateThreadSchema, req.body)));
    });
    app.delete<ById>('/threads/:thread_id', async (req) => {
      await deleteThread(deps, { tenantId: req.caller.tenantId, threadId: req.params.thread_id });
      return toThreadDeleted(req.params.thread_id);
    });
  };
}
