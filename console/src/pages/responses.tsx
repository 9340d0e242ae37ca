// /console/responses: the API cannot list responses, so this page lists the ones this browser opened with the
// current key (kept in localStorage), and opens one by id.
import { OpenById, RecentList } from './parts/recent.tsx';

export function ResponsesPage() {
  return (
    <section class="page">
      <h1>Responses</h1>
      <p class="hint">
        The API has no list of responses: this page shows the stored responses this browser opened with this key. Open any other
        response by its id.
      </p>
      <OpenById label="Open response by id" prefix="resp_" base="/console/responses" />
      <h2>Recent responses</h2>
      <RecentList kind="responses" label="Recent responses" base="/console/responses" empty="No responses opened in this browser yet." />
      <h2>Conversations</h2>
      <OpenById label="Open conversation by id" prefix="conv_" base="/console/conversations" />
      <RecentList kind="conversations" label="Recent conversations" base="/console/conversations" empty="No conversations opened in this browser yet." />
    </section>
  );
}
