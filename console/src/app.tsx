// The console's frame: the sign-in gate, then a banner, the navigation landmark and the main landmark with the page.
import { useEffect, useState } from 'preact/hooks';
import { checkKey, errorMessage, forgetKey, isOpenMode, storedKey } from './api.ts';
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

/** The session at load: open mode needs no key; a key kept in this tab is checked again (the server may have changed). */
async function resume(): Promise<{ session: Session; error?: string }> {
  if (await isOpenMode()) return { session: 'open' };
  const key = storedKey();
  if (!key) return { session: 'signed-out' };
  try {
    await checkKey(key);
    return { session: 'key' };
  } catch (err) {
    forgetKey();
    return { session: 'signed-out', error: errorMessage(err) };
  }
}

/** The sign-in gate: the form until a key is accepted (none in open mode), then the console. */
export function App() {
  const [session, setSession] = useState<Session>('checking');
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (session !== 'checking') return;
    resume().then(
      (r) => {
        setSession(r.session);
        setError(r.error);
      },
      (err: unknown) => {
        setSession('signed-out');
        setError(errorMessage(err));
      },
    );
  }, [session]);
  if (session === 'checking') return <p class="loading">Connecting…</p>;
  if (session === 'signed-out') return <SignIn error={error} onSignedIn={() => setSession('key')} />;
  const signOut = () => {
    forgetKey();
    setError(undefined);
    setSession('signed-out');
  };
  return <Shell session={session} onSignOut={signOut} />;
}
