// The console's own lists of threads, responses and conversations (the API cannot list them): this browser's
// localStorage, one list per kind and per key hash; plus the "Open … by id" box.
import { useEffect, useState } from 'preact/hooks';
import { OPEN_MODE_KEY, storedKey } from '../../api.ts';
import { forgetRecent, keyHash, parseIdInput, readRecent, recentStorageKey, rememberRecent, type RecentEntry, type RecentKind } from '../../lib/recent-ids.ts';
import { formatTime } from '../../lib/format.ts';
import { Link, navigate } from '../../router.tsx';

async function storageKey(kind: RecentKind): Promise<string> {
  return recentStorageKey(kind, await keyHash(storedKey() ?? OPEN_MODE_KEY));
}

/** Puts `id` at the top of this key's list of `kind` (call it when a page opens or creates one). */
export async function rememberId(kind: RecentKind, id: string): Promise<void> {
  rememberRecent({ storage: localStorage, key: await storageKey(kind), id, now: Date.now() });
}

/** Drops `id` from this key's list (deleted, or not found). */
export async function forgetId(kind: RecentKind, id: string): Promise<void> {
  forgetRecent(localStorage, await storageKey(kind), id);
}

export function useRecent(kind: RecentKind): RecentEntry[] | undefined {
  const [list, setList] = useState<RecentEntry[] | undefined>(undefined);
  useEffect(() => {
    void storageKey(kind).then((key) => setList(readRecent(localStorage, key)));
  }, [kind]);
  return list;
}

/** A form with a textbox "<label>" and a button "Open": goes to `${base}/${id}` for a well-formed id. */
export function OpenById(props: { label: string; prefix: string; base: string }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const id = parseIdInput(value, props.prefix);
    if (!id) return setError(`An id starting with '${props.prefix}'.`);
    navigate(`${props.base}/${encodeURIComponent(id)}`);
  };
  return (
    <form class="row open-by-id" onSubmit={onSubmit}>
      <div>
        <label for={`open-${props.prefix}`}>{props.label}</label>
        <input id={`open-${props.prefix}`} value={value} placeholder={`${props.prefix}…`} onInput={(e) => setValue(e.currentTarget.value)} />
      </div>
      <button type="submit">Open</button>
      {error ? <p class="error" role="alert">{error}</p> : null}
    </form>
  );
}

/** The remembered ids as a list of links named `label`. */
export function RecentList(props: { kind: RecentKind; label: string; base: string; empty: string }) {
  const list = useRecent(props.kind);
  if (!list) return null;
  if (!list.length) return <p class="hint">{props.empty}</p>;
  return (
    <ul aria-label={props.label} class="recent">
      {list.map((e) => (
        <li key={e.id}>
          <Link href={`${props.base}/${encodeURIComponent(e.id)}`}>
            <code>{e.id}</code>
          </Link>{' '}
          <span class="hint">opened {formatTime(Math.floor(e.at / 1000))}</span>
        </li>
      ))}
    </ul>
  );
}
