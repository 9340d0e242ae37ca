// The table every list page shows: its column heads (and a hidden "Actions" one for the row buttons), one row
// per item, or a hint when there is none; and the "Load more" button of a paged list.
import type { ComponentChildren } from 'preact';
import type { PagedList } from './paged-list.ts';

export function DataTable<T>(props: {
  label: string;
  columns: readonly string[];
  items: readonly T[];
  row: (item: T) => ComponentChildren;
  empty: string;
  /** While the first page loads, neither the table nor the hint shows. */
  loading?: boolean;
}) {
  if (!props.items.length) return props.loading ? null : <p class="hint">{props.empty}</p>;
  return (
    <div class="table-wrap">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
            <th>
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{props.items.map((item) => props.row(item))}</tbody>
      </table>
    </div>
  );
}

export function LoadMore(props: { list: Pick<PagedList<{ id: string }>, 'hasMore' | 'more'> }) {
  return props.list.hasMore ? (
    <button type="button" class="secondary" onClick={() => void props.list.more()}>
      Load more
    </button>
  ) : null;
}
