import { useState } from 'preact/hooks';
import { signIn, type Session } from '../session';
import { ActionForm, ErrorNote, useAction } from '../ui';

export function SignIn({ onSignedIn, notice }: { onSignedIn: (s: Session) => void; notice: unknown }) {
  const [secret, setSecret] = useState('');
  const action = useAction(async () => onSignedIn(await signIn(secret.trim())));
  return (
    <main class="sign-in">
      <h1>Visage console</h1>
      <ActionForm class="card" onSubmit={() => void action.run()}>
        <label>
          API key or platform admin token
          <input type="password" name="secret" autoComplete="off" required value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </label>
        <p class="hint">Kept in this tab’s session storage only; closing the tab signs you out.</p>
        <button type="submit" disabled={action.busy || secret.trim() === ''}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorNote error={action.error ?? notice} />
      </ActionForm>
    </main>
  );
}
