// /console/conversations/:id: a conversation's items, oldest first.
import { useEffect } from 'preact/hooks';
import { client } from '../api.ts';
import { formatTime } from '../lib/format.ts';
import { useParams } from '../router.tsx';
import { ItemList } from './parts/item-list.tsx';
import { ErrorNote, Facts, JsonBlock, Loading } from './parts/notes.tsx';
import { forgetId, rememberId } from './parts/recent.tsx';
import { allPages } from './parts/thread-view.ts';
import { useLoad } from './parts/use-load.ts';

async function loadConversation(id: string) {
  const c = client();
  const [conversation, items] = await Promise.all([c.conversations.retrieve(id), allPages(c.conversations.items.list(id, { order: 'asc', limit: 100 }))]);
  return { conversation, items };
}

export function ConversationPage() {
  const id = useParams().id ?? '';
  const view = useLoad(() => loadConversation(id), [id]);
  useEffect(() => {
    if (view.data) void rememberId('conversations', id);
    else if (view.error) void forgetId('conversations', id);
  }, [id, !!view.data, view.error]);
  const v = view.data;
  return (
    <section class="page">
      <h1>
        Conversation <code>{id}</code>
      </h1>
      <ErrorNote error={view.error} />
      <Loading when={view.loading && !v} />
      {v ? (
        <>
          <Facts items={[['Created', formatTime(v.conversation.created_at)], ['Items', String(v.items.length)]]} />
          {v.conversation.metadata && Object.keys(v.conversation.metadata).length ? <JsonBlock label="Metadata" value={v.conversation.metadata} /> : null}
          <h2>Items</h2>
          <ItemList label="Conversation items" items={v.items} empty="No items." />
        </>
      ) : null}
    </section>
  );
}
