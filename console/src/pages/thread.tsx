// /console/threads/:id: the thread's messages as a conversation, and each run with its steps on a timeline;
// while a run is going the page reloads every second until it ends.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { formatTime } from '../lib/format.ts';
import { useParams } from '../router.tsx';
import { MessageView } from './parts/message-view.tsx';
import { ErrorNote, Facts, Loading } from './parts/notes.tsx';
import { forgetId, rememberId } from './parts/recent.tsx';
import { RunCard } from './parts/run-card.tsx';
import { isLive, loadThreadView } from './parts/thread-view.ts';
import { useInterval, useLoad } from './parts/use-load.ts';

export function ThreadPage() {
  const id = useParams().id ?? '';
  const view = useLoad(() => loadThreadView(id), [id]);
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  const live = isLive(view.data);
  const tick = useCallback(() => {
    setNow(Math.floor(Date.now() / 1000));
    if (!view.loading) void view.reload();
  }, [view.loading, view.reload]);
  useInterval(tick, 1000, live);
  useEffect(() => {
    if (view.data) void rememberId('threads', id);
    else if (view.error) void forgetId('threads', id);
  }, [id, !!view.data, view.error]);
  const v = view.data;
  return (
    <section class="page thread-page">
      <h1>
        Thread <code>{id}</code>
      </h1>
      <ErrorNote error={view.error} />
      <Loading when={view.loading && !v} />
      {v ? (
        <>
          <Facts
            items={[
              ['Created', formatTime(v.thread.created_at)],
              ['Runs', String(v.runs.length)],
              ['Status', live ? 'a run is going (updating every second)' : 'idle'],
            ]}
          />
          <div class="thread-columns">
            <section aria-labelledby="thread-messages">
              <h2 id="thread-messages">Messages</h2>
              {v.messages.length ? (
                <ol class="conversation" aria-label="Messages">
                  {v.messages.map((m) => (
                    <MessageView key={m.id} message={m} />
                  ))}
                </ol>
              ) : (
                <p class="hint">No messages.</p>
              )}
            </section>
            <section aria-labelledby="thread-runs">
              <h2 id="thread-runs">Runs</h2>
              {v.runs.length ? null : <p class="hint">No runs yet.</p>}
              {v.runs.map(({ run, steps }) => (
                <RunCard key={run.id} run={run} steps={steps} messages={v.messages} now={now} />
              ))}
            </section>
          </div>
        </>
      ) : null}
    </section>
  );
}
