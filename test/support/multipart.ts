import type { TestServer } from './test-server.js';

export interface MultipartParts {
  operations: unknown;
  map: unknown;
  files: Record<string, Buffer | string>;
}

export interface MultipartAnswer {
  status: number;
  data?: Record<string, any>;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** A multipart request as the GraphQL multipart request spec has clients send it (fetch writes the parts). */
export async function postMultipart(server: TestServer, token: string | null, parts: MultipartParts): Promise<MultipartAnswer> {
  const form = new FormData();
  form.set('operations', JSON.stringify(parts.operations));
  form.set('map', JSON.stringify(parts.map));
  for (const [name, bytes] of Object.entries(parts.files)) form.set(name, new Blob([bytes]), `${name}.jpg`);
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, ...((await res.json()) as object) };
}

