// The console's frame: the sign-in gate, then a banner, the navigation landmark and the main landmark with the page.
import { useEffect, useState } from 'preact/hooks';
import { forgetKey, isOpenMode, storedKey } from './api.ts';
import { Link, Router, usePath } from './router.tsx';
import { NAV_LINKS, ROUTES } from './routes.ts';
import { SignIn } from './sign-in.tsx';

type Session = 'checking' | 'signed-out' | 'open' | 'key';

function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        No console page here. <Link href="/console/playground">Open the playground</Link>.
      </p>
    </>
  );
}

function Nav(props: { path: string }) {
  // '/' and '/console' show the playground too.
  const path = ['/', '/console', '/console/'].includes(props.path) ? '/console/playground' : props.path;
  const current = (href: string) => path === href || path.startsWith(`${href}/`);
  return (
    <nav aria-label="Console">
      <ul>
        {NAV_LINKS.map((l) => (
          <li key={l.href}>
            <Link href={l.href} current={current(l.href)}>
              {l.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Shell(props: { session: Session; onSignOut: () => void }) {
  const path = usePath();
  return (
    <div class="shell">
      <header class="banner">
        <span class="brand">Switchboard</span>
        {props.session === 'key' ? (
          <button type="button" class="link" onClick={props.onSignOut}>
            Sign out
          </button>
        ) : (
          <span class="hint">open mode</span>
        )}
      </header>
      <Nav path={path} />
      <main id="main">
        <Router routes={ROUTES} path={path} fallback={NotFound} />
      </main>
    </div>
  );
}

/** Open mode (the server takes no key) skips the form; otherwise a key from this tab's session, or the form. */
export function App() {
  const [session, setSession] = useState<Session>(storedKey() ? 'key' : 'checking');
  useEffect(() => {
    if (session !== 'checking') return;
    isOpenMode().then(
      (open) => setSession(open ? 'open' : 'signed-out'),
      () => setSession('signed-out'),
    );
  }, [session]);
  if (session === 'checking') return <p class="loading">Connecting…</p>;
  if (session === 'signed-out') return <SignIn onSignedIn={() => setSession('key')} />;
  const signOut = () => {
    forgetKey();
    setSession('signed-out');
  };
  return <Shell session={session} onSignOut={signOut} />;
}
