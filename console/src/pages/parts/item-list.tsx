// A list of Responses / Conversations items, each with its title, text, file_search results and cited files.
import { formatScore } from '../../lib/format.ts';
import { summarizeItem } from '../../lib/response-items.ts';
import { FileLink } from './file-content.tsx';

function Item(props: { item: { type?: string; id?: string | null } }) {
  const s = summarizeItem(props.item);
  return (
    <li class={`item ${s.type}`}>
      <div class="who">
        {s.title} {s.id ? <span class="meta">{s.id}</span> : null}
      </div>
      {s.text ? <pre class="text">{s.text}</pre> : null}
      {s.results.length ? (
        <ol class="hits" aria-label="File search results">
          {s.results.map((r, i) => (
            <li key={i}>
              <FileLink fileId={r.file_id} name={r.filename} />
              {r.score === null ? null : <span class="score"> score {formatScore(r.score)}</span>}
              {r.text ? <pre>{r.text}</pre> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {s.citations.length ? (
        <div class="meta">
          Cites:{' '}
          {s.citations.map((c, i) => (
            <span key={i}>
              <FileLink fileId={c.file_id} name={c.filename} />{' '}
            </span>
          ))}
        </div>
      ) : null}
    </li>
  );
}

export function ItemList(props: { label: string; items: ReadonlyArray<{ type?: string; id?: string | null }>; empty: string }) {
  if (!props.items.length) return <p class="hint">{props.empty}</p>;
  return (
    <ol class="conversation items" aria-label={props.label}>
      {props.items.map((item, i) => (
        <Item key={item.id ?? i} item={item} />
      ))}
    </ol>
  );
}
