import { useState } from 'preact/hooks';
import { checkKey, errorMessage, storeKey } from './api.ts';

/** The API key form: the key is checked with GET /v1/models and kept (sessionStorage) only when the server takes it. */
export function SignIn(props: { onSignedIn: () => void; error?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>(props.error);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await checkKey(key.trim());
      storeKey(key.trim());
      props.onSignedIn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Switchboard</h1>
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
      </form>
      <p class="hint">The key stays in this tab (session storage) and is sent only to this server.</p>
    </main>
  );
}
