import type { Tx } from '../connection.js';

export interface AuditRow { id: number; at: string; actor: string; action: string; subject: string | null; detail: string | null; unit_id?: string | null; }

/** Appends to the audit log (the database refuses any change to what is there). */
export async function appendAudit(db: Tx, entry: Omit<AuditRow, 'id'>): Promise<void> {
  await db('audit_log').insert(entry);
}

export async function auditEntries(db: Tx, opts: { action?: string; limit?: number } = {}): Promise<AuditRow[]> {
  const q = db('audit_log').orderBy('id', 'desc').limit(opts.limit ?? 200);
  return opts.action ? q.where({ action: opts.action }) : q;
}
