// /console/threads: the API cannot list threads, so this page lists the ones this browser opened or created with
// the current key (kept in localStorage), opens one by id, and creates an empty one.
import { client } from '../api.ts';
import { navigate } from '../router.tsx';
import { ErrorNote } from './parts/notes.tsx';
import { OpenById, RecentList, rememberId } from './parts/recent.tsx';
import { useAction } from './parts/use-load.ts';

export function ThreadsPage() {
  const action = useAction();
  const create = () =>
    action.run(async () => {
      const thread = await client().beta.threads.create();
      await rememberId('threads', thread.id);
      navigate(`/console/threads/${thread.id}`);
    });
  return (
    <section class="page">
      <div class="row page-head">
        <h1>Threads</h1>
        <button type="button" onClick={() => void create()} disabled={action.busy}>
          New thread
        </button>
      </div>
      <p class="hint">
        The API has no list of threads: this page shows the threads this browser opened or created with this key. Open any other
        thread by its id.
      </p>
      <ErrorNote error={action.error} />
      <OpenById label="Open thread by id" prefix="thread_" base="/console/threads" />
      <h2>Recent threads</h2>
      <RecentList kind="threads" label="Recent threads" base="/console/threads" empty="No threads opened in this browser yet." />
    </section>
  );
}
