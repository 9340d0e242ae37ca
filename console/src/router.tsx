// A small history-API router: a route table of patterns like '/console/threads/:id', a <Link>, navigate(),
// and useParams() for the page a route renders (pages take no props, so the table stays uniform).
import { createContext, type ComponentChildren, type ComponentType } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';

export type Params = Readonly<Record<string, string>>;
export interface Route {
  pattern: string;
  page: ComponentType;
}

const ParamsContext = createContext<Params>({});
const NAVIGATE = 'console:navigate';

/** Goes to `to` (a path on this origin) without reloading; `replace` leaves no history entry. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  dispatchEvent(new Event(NAVIGATE));
}

/** The current pathname, re-rendering on navigate() and the back/forward buttons. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    addEventListener(NAVIGATE, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(NAVIGATE, update);
    };
  }, []);
  return path;
}

/** The `:name` segments of `pattern` in `path`, or undefined when it does not match. */
export function matchRoute(pattern: string, path: string): Params | undefined {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':') && g !== '') params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return params;
}

/** The route's `:name` values, for the page it renders. */
export function useParams(): Params {
  return useContext(ParamsContext);
}

/** Renders the first route matching the path, or `fallback`. */
export function Router(props: { routes: readonly Route[]; path: string; fallback: ComponentType }) {
  for (const route of props.routes) {
    const params = matchRoute(route.pattern, props.path);
    if (params) return <ParamsContext.Provider value={params}>{<route.page />}</ParamsContext.Provider>;
  }
  return <props.fallback />;
}

/** An <a> that navigates in place on a plain click (new tabs and modified clicks behave as usual). */
export function Link(props: { href: string; children: ComponentChildren; class?: string; current?: boolean }) {
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} aria-current={props.current ? 'page' : undefined} onClick={onClick}>
      {props.children}
    </a>
  );
}
