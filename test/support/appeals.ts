import type { Client } from './web.js';

/** Evidence files for the appeal tests, and a multipart post as a browser sends it. */

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);

/** Posts a multipart form as a browser would: the session cookie, the CSRF token of the last page, fields and files (each under `files`, or its own field). */
export async function postMultipart(client: Client, path: string, fields: Array<[string, string]>, files: Array<{ name: string; bytes: Buffer; type?: string; field?: string }> = []): Promise<Response> {
  const form = new FormData();
  form.append('_csrf', client.token);
  for (const [k, v] of fields) form.append(k, v);
  for (const f of files) form.append(f.field ?? 'files', new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }), f.name);
  return fetch(client.base + path, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: client.cookie } });
}
