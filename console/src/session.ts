// Who is signed in. The secret lives in sessionStorage only (never a cookie, never the URL), so
// it is gone when the tab closes. The role read at sign-in decides what the UI offers; the server
// still decides what is allowed, and its FORBIDDEN is shown as it is.
import { gql, useSecret } from './api';

export type Role = 'ADMIN' | 'OPERATOR' | 'CLIENT' | 'VIEWER';

export type Session =
  | { kind: 'platform'; secret: string }
  | { kind: 'tenant'; secret: string; role: Role; tenant: { id: string; name: string; slug: string } };

const STORAGE_KEY = 'visage.console.session';

export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    useSecret(session.secret);
    return session;
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  useSecret(null);
}

interface ViewerAnswer {
  viewer: { role: Role; tenant: { id: string; name: string; slug: string } } | null;
}

/**
 * Checks the secret with the server: `viewer` is null for the platform admin token; a bad
 * secret rejects with UNAUTHENTICATED, a suspended tenant with TENANT_SUSPENDED.
 */
export async function signIn(secret: string): Promise<Session> {
  const { viewer } = await gql<ViewerAnswer>('{ viewer { role tenant { id name slug } } }', {}, secret);
  const session: Session = viewer ? { kind: 'tenant', secret, role: viewer.role, tenant: viewer.tenant } : { kind: 'platform', secret };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  useSecret(secret);
  return session;
}
