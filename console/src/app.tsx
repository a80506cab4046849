// The shell: sign-in, then a navigation of the pages the signed-in role may use.
import { useEffect, useState } from 'preact/hooks';
import { whenUnauthenticated } from './api';
import { can, type Ability } from './roles';
import { navigate, usePath } from './router';
import { clearSession, loadSession, type Session } from './session';
import { HistoryPage } from './pages/history';
import { IdentifyPage } from './pages/identify';
import { KeysPage } from './pages/keys';
import { PeoplePage } from './pages/people';
import { PersonPage } from './pages/person';
import { ReportsPage } from './pages/reports';
import { SettingsPage } from './pages/settings';
import { SignIn } from './pages/sign-in';
import { TenantsPage } from './pages/tenants';

interface NavItem {
  path: string;
  label: string;
  ability: Ability;
}

const TENANT_NAV: NavItem[] = [
  { path: '/people', label: 'People', ability: 'readPeople' },
  { path: '/identify', label: 'Identify', ability: 'identify' },
  { path: '/history', label: 'History', ability: 'readEvents' },
  { path: '/reports', label: 'Reports', ability: 'readEvents' },
  { path: '/keys', label: 'API keys', ability: 'manageKeys' },
  { path: '/settings', label: 'Settings', ability: 'manageSettings' },
];

function TenantPage({ session, path }: { session: Extract<Session, { kind: 'tenant' }>; path: string }) {
  const manage = can(session.role, 'managePeople');
  const person = /^\/people\/([^/]+)$/.exec(path);
  if (person) return <PersonPage id={decodeURIComponent(person[1]!)} canManage={manage} />;
  const item = TENANT_NAV.find((n) => n.path === path);
  if (!item) return <p>No page {path}.</p>;
  if (!can(session.role, item.ability)) return <p role="alert">A {session.role} key cannot use {item.label}.</p>;
  switch (item.path) {
    case '/people':
      return <PeoplePage canManage={manage} />;
    case '/identify':
      return <IdentifyPage />;
    case '/history':
      return <HistoryPage />;
    case '/reports':
      return <ReportsPage />;
    case '/keys':
      return <KeysPage />;
    case '/settings':
      return <SettingsPage />;
    default:
      return <p>No page {path}.</p>;
  }
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<unknown>(null);
  const path = usePath();

  useEffect(() => {
    whenUnauthenticated((err) => {
      clearSession();
      setNotice(err);
      setSession(null);
    });
  }, []);

  const nav = session?.kind === 'tenant' ? TENANT_NAV.filter((n) => can(session.role, n.ability)) : [{ path: '/tenants', label: 'Tenants' }];
  useEffect(() => {
    if (session && (path === '/' || path === '')) navigate(nav[0]?.path ?? '/');
  }, [session, path]);

  if (!session)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          setNotice(null);
          setSession(s);
        }}
      />
    );

  const signOut = () => {
    clearSession();
    setSession(null);
    navigate('/');
  };
  return (
    <>
      <a class="skip" href="#content" onClick={(e) => { e.preventDefault(); document.getElementById('content')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <h1 class="brand">Visage</h1>
        <span class="who">{session.kind === 'tenant' ? `${session.tenant.name} · ${session.role}` : 'Platform admin'}</span>
        <nav aria-label="Pages">
          {nav.map((n) => (
            <a key={n.path} href={`#${n.path}`} aria-current={path === n.path || path.startsWith(`${n.path}/`) ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <button type="button" class="sign-out" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        {session.kind === 'tenant' ? <TenantPage session={session} path={path} /> : path === '/tenants' ? <TenantsPage /> : <p>No page {path}.</p>}
      </main>
    </>
  );
}
