// Small pieces every page uses: errors shown in words, loading state, secrets shown once, paging.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export function describe(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'ERROR', message: error.message };
  return { code: 'ERROR', message: String(error) };
}

const HINTS: Record<string, string> = {
  FORBIDDEN: 'Your key’s role may not do this.',
  UNAUTHENTICATED: 'Sign in again with a valid key.',
  TENANT_SUSPENDED: 'The platform admin has suspended this tenant.',
  RATE_LIMITED: 'Too many requests: wait a moment and try again.',
  QUOTA_EXCEEDED: 'The tenant has used its quota.',
  SERVER_BUSY: 'The server is busy: try again shortly.',
  SERVICE_UNAVAILABLE: 'The database is unreachable: try again shortly.',
};

/** An API error in words, with its code: nothing fails silently. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const { code, message } = describe(error);
  return (
    <div class="error" role="alert">
      <strong>{code}</strong>: {message} {HINTS[code] ? <span class="hint">{HINTS[code]}</span> : null}
    </div>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads when `deps` change; a late answer to an older request is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const id = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => id === latest.current && setState({ data, loading: false }),
      (error: unknown) => id === latest.current && setState({ error, loading: false }),
    );
  }, [...deps, tick]);
  return { data: state.data, error: state.error, loading: state.loading, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** Runs a user action, tracking busy and the error to show. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action(...args);
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/** A secret the server shows once: readable, selectable, with a copy button. */
export function SecretOnce({ label, secret }: { label: string; secret: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied.');
    } catch {
      input.current?.select();
      setCopied('Select the text and copy it: the browser refused the clipboard.');
    }
  };
  return (
    <div class="secret" role="status">
      <label>
        {label} <em>(shown once: store it now)</em>
        <input ref={input} readOnly value={secret} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} data-testid="secret" />
      </label>
      <button type="button" onClick={copy}>
        Copy
      </button>
      {copied ? <span class="hint">{copied}</span> : null}
    </div>
  );
}

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Relay paging: forward by endCursor, back by the cursors already visited. */
export function usePaging() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const after = stack[stack.length - 1] ?? null;
  return {
    after,
    page: stack.length,
    next: (info: PageInfo) => info.endCursor && setStack((s) => [...s, info.endCursor]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([null]),
  };
}

export function Pager({ paging, info, total }: { paging: ReturnType<typeof usePaging>; info: PageInfo | undefined; total: number | undefined }) {
  return (
    <nav class="pager" aria-label="Pagination">
      <button type="button" disabled={paging.page <= 1} onClick={paging.prev}>
        Previous
      </button>
      <span>
        Page {paging.page}
        {total !== undefined ? ` · ${total} in all` : ''}
      </span>
      <button type="button" disabled={!info?.hasNextPage} onClick={() => info && paging.next(info)}>
        Next
      </button>
    </nav>
  );
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function formatNumber(n: number | null | undefined, digits = 3): string {
  return n === null || n === undefined ? '—' : n.toFixed(digits);
}

/** A form whose submit runs `onSubmit` instead of navigating. */
export function ActionForm({ onSubmit, children, class: className = 'row' }: { onSubmit: () => void; children: ComponentChildren; class?: string }) {
  return (
    <form
      class={className}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** A search field that sends every change (the lists page from the start again). */
export function SearchBox({ label, value, onSearch }: { label: string; value: string; onSearch: (value: string) => void }) {
  return (
    <label class="search">
      {label}
      <input type="search" value={value} onInput={(e) => onSearch(e.currentTarget.value)} />
    </label>
  );
}

/** A table with its column heads, its rows, and a line saying so when there are none. */
export function Table({ head, empty, testId, children }: { head: string[]; empty?: string | false; testId?: string; children: ComponentChildren }) {
  return (
    // Focusable, so a keyboard can scroll a table wider than a phone's screen.
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`Table: ${head.join(', ')}`}>
      <table data-testid={testId}>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {children}
          {empty ? (
            <tr>
              <td colSpan={head.length}>{empty}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
