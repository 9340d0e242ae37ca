// A cursor-paged list (the SDK's CursorPage): the first page on load, `more()` appends the next one.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../../api.ts';

interface Page<T> {
  data: T[];
  hasNextPage(): boolean;
}

export interface PagedList<T extends { id: string }> {
  items: T[];
  error: string | undefined;
  loading: boolean;
  hasMore: boolean;
  more: () => Promise<void>;
  reload: () => Promise<void>;
  remove: (id: string) => void;
  prepend: (item: T) => void;
}

/** `fetchPage(after)` loads the page after the item `after` (undefined: the first page). */
export function usePagedList<T extends { id: string }>(fetchPage: (after: string | undefined) => PromiseLike<Page<T>>, deps: readonly unknown[]): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [hasMore, setHasMore] = useState(false);
  // `deps` stand for what fetchPage reads, as with useEffect.
  const fetcher = useCallback(fetchPage, deps);
  const load = useCallback(
    async (after: string | undefined) => {
      setLoading(true);
      try {
        const page = await fetcher(after);
        setItems((prev) => (after ? [...prev, ...page.data] : page.data));
        setHasMore(page.hasNextPage());
        setError(undefined);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setLoading(false);
      }
    },
    [fetcher],
  );
  useEffect(() => {
    void load(undefined);
  }, [load]);
  return {
    items,
    error,
    loading,
    hasMore,
    more: () => load(items.at(-1)?.id),
    reload: () => load(undefined),
    remove: (id) => setItems((prev) => prev.filter((i) => i.id !== id)),
    prepend: (item) => setItems((prev) => [item, ...prev.filter((i) => i.id !== item.id)]),
  };
}
