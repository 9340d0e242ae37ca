import type { Deps } from '../deps.js';
import type { Db } from '../store/database.js';
import { fromJson, toJson } from '../store/json.js';
import { insertConversationItems, listAllConversationRows } from '../store/repos/conversation-items.repo.js';
import { insertMessages } from '../store/repos/messages.repo.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import { idKindOf, type ResolvedItemParams } from './conversation-items-input.js';

/**
 * A branch of a response chain: `previous` was already continued (by `next`), so the new response gets a hidden
 * thread of its own holding a copy of the chain's items up to `previous` — every item of `previous`'s thread
 * older than `next` (a response's items all come after its row's seq). Items get new ids; order is kept.
 */
export async function copyChainItems(
  deps: Pick<Deps, 'ids'>,
  trx: Db,
  opts: { previous: ResponseRow; next: ResponseRow; toThreadId: string },
): Promise<void> {
  const { previous, next, toThreadId } = opts;
  const cutoff = Number(next.seq);
  const { messages, items } = await listAllConversationRows(trx, { tenantId: previous.tenant_id, threadId: previous.thread_id });
  await insertMessages(
    trx,
    messages.filter((m) => Number(m.seq) < cutoff).map((m) => ({ ...m, id: deps.ids('msg'), thread_id: toThreadId })),
  );
  await insertConversationItems(
    trx,
    items
      .filter((i) => Number(i.seq) < cutoff)
      .map((i) => {
        const id = deps.ids(idKindOf(i.type as ResolvedItemParams['type']));
        return { ...i, id, thread_id: toThreadId, item: toJson({ ...fromJson<Record<string, unknown>>(i.item, {}), id }) };
      }),
  );
}
