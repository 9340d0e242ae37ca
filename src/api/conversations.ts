import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { createItems, deleteItem, listItems, retrieveItem } from '../services/conversation-items.service.js';
import {
  createConversation,
  deleteConversation,
  retrieveConversation,
  updateConversation,
} from '../services/conversations.service.js';
import { toConversationDeleted, toConversationObject } from '../store/serialize-items.js';
import { parseListQuery, toListPage } from './pagination.js';
import { parseRequest } from './schemas/common.schema.js';
import {
  createConversationSchema,
  createItemsSchema,
  includeQueryInput,
  includeQuerySchema,
  updateConversationSchema,
} from './schemas/conversations.schema.js';

type ById = { Params: { conversation_id: string } };
type ItemById = { Params: { conversation_id: string; item_id: string } };

/**
 * /conversations and /conversations/{id}/items. A conversation is a thread: `thread_…` ids work here, and the
 * `conv_…` ids made here work in the Assistants API.
 */
export function conversationsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    const ref = (req: { caller: { tenantId: string }; params: { conversation_id: string } }) => ({
      tenantId: req.caller.tenantId,
      threadId: req.params.conversation_id,
    });
    const itemRef = (req: { caller: { tenantId: string }; params: { conversation_id: string; item_id: string } }) => ({
      ...ref(req),
      itemId: req.params.item_id,
    });

    const include = (query: unknown) => parseRequest(includeQuerySchema, includeQueryInput(query));

    app.post('/conversations', async (req) =>
      toConversationObject(await createConversation(deps, req.caller.tenantId, parseRequest(createConversationSchema, req.body))),
    );
    app.get<ById>('/conversations/:conversation_id', async (req) => toConversationObject(await retrieveConversation(deps, ref(req))));
    app.post<ById>('/conversations/:conversation_id', async (req) =>
      toConversationObject(await updateConversation(deps, ref(req), parseRequest(updateConversationSchema, req.body))),
    );
    app.delete<ById>('/conversations/:conversation_id', async (req) => {
      await deleteConversation(deps, ref(req));
      return toConversationDeleted(req.params.conversation_id);
    });

    app.post<ById>('/conversations/:conversation_id/items', async (req) => {
      const { items } = parseRequest(createItemsSchema, req.body);
      const data = await createItems(deps, ref(req), { items, include: include(req.query) });
      return toListPage(data, false);
    });
    app.get<ById>('/conversations/:conversation_id/items', async (req) => {
      const query = { ...parseListQuery(req.query), include: include(req.query) };
      const { data, hasMore } = await listItems(deps, ref(req), query);
      return toListPage(data, hasMore);
    });
    app.get<ItemById>('/conversations/:conversation_id/items/:item_id', async (req) =>
      retrieveItem(deps, itemRef(req), include(req.query)),
    );
    app.delete<ItemById>('/conversations/:conversation_id/items/:item_id', async (req) =>
      toConversationObject(await deleteItem(deps, itemRef(req))),
    );
  };
}
