// A vector store's search box (a searchbox named "Search") and the chunks and scores /search returns.
import type { VectorStoreSearchResponse } from 'openai/resources/vector-stores/vector-stores';
import { useState } from 'preact/hooks';
import { client } from '../../api.ts';
import { formatScore } from '../../lib/format.ts';
import { FileLink } from './file-content.tsx';
import { ErrorNote } from './notes.tsx';
import { allPages } from './thread-view.ts';
import { useAction } from './use-load.ts';

export function StoreSearch(props: { storeId: string }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<VectorStoreSearchResponse[] | undefined>(undefined);
  const action = useAction();
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!query.trim()) return;
    void action.run(async () => setResults(await allPages(client().vectorStores.search(props.storeId, { query, max_num_results: 10 }))));
  };
  return (
    <section aria-labelledby="vs-search-title">
      <h2 id="vs-search-title">Search this store</h2>
      <form role="search" class="row" onSubmit={onSubmit}>
        <input type="search" aria-label="Search" value={query} placeholder="What are you looking for?" onInput={(e) => setQuery(e.currentTarget.value)} />
        <button type="submit" disabled={action.busy}>
          Search
        </button>
      </form>
      <ErrorNote error={action.error} />
      {results ? (
        results.length ? (
          <ol class="hits" aria-label="Search results">
            {results.map((r, i) => (
              <li key={i}>
                <FileLink fileId={r.file_id} name={r.filename} /> <span class="score">score {formatScore(r.score)}</span>
                {r.content.map((c, j) => (
                  <pre key={j}>{c.text}</pre>
                ))}
              </li>
            ))}
          </ol>
        ) : (
          <p class="hint">Nothing found.</p>
        )
      ) : null}
    </section>
  );
}
