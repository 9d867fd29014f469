import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../src/db/connection.js';
import type { Role } from '../../src/db/queries/users.js';
import { createApp } from '../../src/http/app.js';
import { resetPassword } from '../../src/services/accounts.js';
import { openStore } from '../../src/services/store.js';
import { BACKENDS } from './backends.js';

/**
 * The web application on a fresh demo database and an ephemeral port, with the demo
 * accounts' passwords set to known values, and a small cookie-keeping client.
 */

export const PASSWORDS: Record<string, string> = {
  admin: 'admin-测试口令-2024', leader: 'leader-测试口令-2024', v01: 'v01-测试口令-2024', v09: 'v09-测试口令-2024', s01: 's01-测试口令-2024',
};
export const ACCOUNT_OF_ROLE: Record<Role, string> = { admin: 'admin', leader: 'leader', village: 'v01', staff: 's01' };

export interface TestApp { url: string; db: Db; server: Server; close(): Promise<void>; }

export async function startApp(): Promise<TestApp> {
  const db = await openStore(await BACKENDS[0].fresh('demo'));
  for (const [user, password] of Object.entries(PASSWORDS)) await resetPassword(db, user, 'test', password);
  const app = createApp({ db, log: () => {} });
  const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, db, server, close: async () => { await new Promise((r) => server.close(r)); await db.destroy(); } };
}

/** A browser-like client: keeps its cookie, reads the CSRF token of the last page, never follows redirects. */
export class Client {
  cookie = '';
  token = '';
  constructor(readonly base: string) {}

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      method, redirect: 'manual',
      headers: { cookie: this.cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = res.headers.getSetCookie();
    for (const c of set) if (c.startsWith('appraisal.sid=')) this.cookie = c.split(';')[0];
    return res;
  }

  async get(path: string): Promise<{ status: number; text: string; res: Response }> {
    const res = await this.request('GET', path);
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m) this.token = m[1];
    return { status: res.status, text, res };
  }

  /** Posts a form with the CSRF token of the last page read (unless the form carries its own). */
  async post(path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('POST', path, { _csrf: this.token, ...form }, headers);
  }

  async login(username: string, password = PASSWORDS[username]): Promise<Response> {
    await this.get('/login');
    return this.post('/login', { username, password });
  }
}

export async function signedIn(base: string, username: string): Promise<Client> {
  const c = new Client(base);
  const res = await c.login(username);
  if (res.status !== 303) throw new Error(`login of ${username} failed: ${res.status}`);
  await c.get('/');
  return c;
}
