// The one way the console talks to the server: POST /graphql with the signed-in secret as a
// Bearer token. Every failure becomes an ApiError with the server's stable code and message, so
// each page can show it in words; nothing is swallowed here.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface GraphQLErrorBody {
  message?: string;
  extensions?: { code?: string; field?: string };
}

/** Called with every UNAUTHENTICATED answer: the key stopped working, so the session ends. */
let onUnauthenticated: (err: ApiError) => void = () => undefined;
export function whenUnauthenticated(handler: (err: ApiError) => void): void {
  onUnauthenticated = handler;
}

let secret: string | null = null;
export function useSecret(value: string | null): void {
  secret = value;
}

function errorFrom(body: { errors?: GraphQLErrorBody[] } | null, status: number): ApiError {
  const first = body?.errors?.[0];
  if (first) return new ApiError(first.extensions?.code ?? 'ERROR', first.message ?? 'The server refused the request.', first.extensions?.field);
  return new ApiError(`HTTP_${status}`, `The server answered HTTP ${status} without an explanation.`);
}

async function readJson(res: Response): Promise<{ data?: unknown; errors?: GraphQLErrorBody[] } | null> {
  const text = await res.text();
  try {
    return JSON.parse(text) as { data?: unknown; errors?: GraphQLErrorBody[] };
  } catch {
    return null;
  }
}

/** Runs one operation; resolves with `data`, rejects with an ApiError (the first error). */
export function gql<T>(query: string, variables: Record<string, unknown> = {}, token = secret): Promise<T> {
  // application/json also satisfies Apollo's CSRF prevention.
  return send<T>({ 'content-type': 'application/json' }, JSON.stringify({ query, variables }), token);
}

/** A file sent as a multipart part, placed at `path` (e.g. "variables.input.image.file"), where the variables hold null. */
export interface FilePart {
  path: string;
  file: File;
}

/**
 * Runs one operation whose images or video go as files (the GraphQL multipart request the server
 * reads): no base64 in the browser, a third fewer bytes on the wire, no JSON string of them on the server.
 */
export function gqlWithFiles<T>(query: string, variables: Record<string, unknown>, files: readonly FilePart[]): Promise<T> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables }));
  form.set('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [f.path]]))));
  files.forEach((f, i) => form.set(String(i), f.file, f.file.name));
  // The browser writes the multipart content-type with its boundary.
  return send<T>({}, form, secret);
}

async function send<T>(headers: Record<string, string>, body: string | FormData, token: string | null): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/graphql', { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
  } catch {
    throw new ApiError('NETWORK_ERROR', 'The server could not be reached. Check that it is running and try again.');
  }
  const parsed = await readJson(res);
  if (parsed?.errors?.length || !parsed?.data) {
    const err = errorFrom(parsed, res.status);
    if (err.code === 'UNAUTHENTICATED') onUnauthenticated(err);
    throw err;
  }
  return parsed.data as T;
}

/** GET a CSV export with the Bearer key (never in the URL) and hand it to the browser as a download. */
export async function downloadCsv(path: string, params: URLSearchParams): Promise<void> {
  const res = await fetch(`${path}?${params}`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} }).catch(() => {
    throw new ApiError('NETWORK_ERROR', 'The server could not be reached. Check that it is running and try again.');
  });
  if (!res.ok) throw errorFrom(await readJson(res), res.status);
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = path.split('/').pop() ?? 'export.csv';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
