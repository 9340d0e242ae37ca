// /console/responses/:id: a stored response: status, usage, error, its input items and its output items; polled
// every second while it is queued or in progress (background responses).
import type { Response } from 'openai/resources/responses/responses';
import { useCallback, useEffect } from 'preact/hooks';
import { client } from '../api.ts';
import { formatCount, formatTime } from '../lib/format.ts';
import { Link, useParams } from '../router.tsx';
import { ItemList } from './parts/item-list.tsx';
import { ErrorNote, Facts, Loading } from './parts/notes.tsx';
import { forgetId, rememberId } from './parts/recent.tsx';
import { allPages } from './parts/thread-view.ts';
import { useInterval, useLoad } from './parts/use-load.ts';

async function loadResponse(id: string) {
  const c = client();
  const [response, input] = await Promise.all([c.responses.retrieve(id), allPages(c.responses.inputItems.list(id, { order: 'asc', limit: 100 }))]);
  return { response, input };
}

const isPending = (r: Response | undefined) => r?.status === 'queued' || r?.status === 'in_progress';

function usageText(r: Response): string {
  const u = r.usage;
  return u ? `${formatCount(u.total_tokens)} tokens (${formatCount(u.input_tokens)} in, ${formatCount(u.output_tokens)} out)` : '—';
}

function conversationId(r: Response): string | undefined {
  return r.conversation?.id;
}

function ResponseFacts(props: { r: Response }) {
  const { r } = props;
  const conv = conversationId(r);
  return (
    <Facts
      items={[
        ['Status', r.status ?? '—'],
        ['Model', r.model],
        ['Created', formatTime(r.created_at)],
        ['Usage', usageText(r)],
        ['Previous response', r.previous_response_id ? <Link href={`/console/responses/${r.previous_response_id}`}>{r.previous_response_id}</Link> : '—'],
        ['Conversation', conv ? <Link href={`/console/conversations/${conv}`}>{conv}</Link> : '—'],
      ]}
    />
  );
}

export function ResponsePage() {
  const id = useParams().id ?? '';
  const view = useLoad(() => loadResponse(id), [id]);
  const r = view.data?.response;
  const tick = useCallback(() => void (view.loading || view.reload()), [view.loading, view.reload]);
  useInterval(tick, 1000, isPending(r));
  useEffect(() => {
    if (view.data) void rememberId('responses', id);
    else if (view.error) void forgetId('responses', id);
  }, [id, !!view.data, view.error]);
  return (
    <section class="page">
      <h1>
        Response <code>{id}</code>
      </h1>
      <ErrorNote error={view.error} />
      <Loading when={view.loading && !r} />
      {r && view.data ? (
        <>
          <ResponseFacts r={r} />
          {r.error ? (
            <p class="error">
              Error ({r.error.code}): {r.error.message}
            </p>
          ) : null}
          {r.incomplete_details ? <p class="error">Incomplete: {r.incomplete_details.reason}</p> : null}
          <div class="thread-columns">
            <section aria-labelledby="response-input">
              <h2 id="response-input">Input items</h2>
              <ItemList label="Input items" items={view.data.input} empty="No input items." />
            </section>
            <section aria-labelledby="response-output">
              <h2 id="response-output">Output items</h2>
              <ItemList label="Output items" items={r.output} empty="No output yet." />
            </section>
          </div>
        </>
      ) : null}
    </section>
  );
}
