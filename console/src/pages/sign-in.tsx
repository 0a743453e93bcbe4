import { useEffect, useState } from 'preact/hooks';
import { claimsOf, storeToken, type Claims } from '../session';

interface ConsoleConfig {
  development: boolean;
}

/** Paste a bearer token; it stays in this tab's sessionStorage. */
export function SignInPage({
  expired,
  onSignedIn,
}: {
  expired: boolean;
  onSignedIn: (claims: Claims) => void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [development, setDevelopment] = useState(false);

  useEffect(() => {
    fetch('/console/config.json', { cache: 'no-store' })
      .then((response) => (response.ok ? (response.json() as Promise<ConsoleConfig>) : null))
      .then((config) => setDevelopment(config?.development === true))
      .catch(() => setDevelopment(false));
  }, []);

  const submit = (event: Event) => {
    event.preventDefault();
    const trimmed = token.trim().replace(/^Bearer\s+/i, '');
    const claims = claimsOf(trimmed);
    if (!claims) {
      setError('That is not a JWT (three base64url parts separated by dots).');
      return;
    }
    storeToken(trimmed);
    onSignedIn(claims);
  };

  return (
    <main class="sign-in">
      <h1>Chronicle console</h1>
      {expired && (
        <p role="alert">Your session has ended or the token was refused: sign in again.</p>
      )}
      <form onSubmit={submit}>
        <label for="token">Bearer token</label>
        <textarea
          id="token"
          rows={6}
          spellcheck={false}
          autocomplete="off"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-describedby={error ? 'token-error' : undefined}
          required
        />
        {error && (
          <p id="token-error" role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        The token is kept in this tab only (sessionStorage) and sent to this server alone.
      </p>
      {development && (
        <p class="hint dev-hint">
          Development: get a token with <code>npm run token -- --sub &lt;id&gt; --role admin</code>{' '}
          (or <code>auditor</code>, <code>teller</code>, <code>customer</code>).
        </p>
      )}
    </main>
  );
}
