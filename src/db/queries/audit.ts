import type { Knex } from 'knex';
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

/**
 * What the audit page asks of the log. Every value is bound, never written into the SQL.
 * `unit`: the entries that concern a unit — those that name it in `unit_id`, and older ones
 * (written before the column) by their exact subject or detail, or done by the unit's own accounts.
 */
export interface AuditFilter {
  actor?: string;
  actions?: string[];
  /** Every action but these (其他操作). */
  otherThan?: string[];
  unit?: { id: string; subjects: string[]; details: string[]; actors: string[] };
  /** ISO instants: from (inclusive), until (exclusive). */
  from?: string;
  until?: string;
}

function filtered(db: Tx, f: AuditFilter): Knex.QueryBuilder {
  const q = db('audit_log');
  if (f.actor !== undefined) q.where('actor', f.actor);
  if (f.actions) q.whereIn('action', f.actions);
  if (f.otherThan?.length) q.whereNotIn('action', f.otherThan);
  const unit = f.unit;
  if (unit) {
    q.where((w) => {
      w.where('unit_id', unit.id);
      if (unit.subjects.length) w.orWhere((o) => { o.whereNull('unit_id').whereIn('subject', unit.subjects); });
      if (unit.details.length) w.orWhere((o) => { o.whereNull('unit_id').whereIn('detail', unit.details); });
      if (unit.actors.length) w.orWhereIn('actor', unit.actors);
    });
  }
  if (f.from !== undefined) q.where('at', '>=', f.from);
  if (f.until !== undefined) q.where('at', '<', f.until);
  return q;
}

/** One page of the entries the filter finds, newest first. */
export async function auditPage(db: Tx, f: AuditFilter, page: { limit: number; offset: number }): Promise<AuditRow[]> {
  return filtered(db, f).select('id', 'at', 'actor', 'action', 'subject', 'detail', 'unit_id').orderBy('id', 'desc').limit(page.limit).offset(page.offset);
}

export async function auditCount(db: Tx, f: AuditFilter): Promise<number> {
  const [row] = await filtered(db, f).count({ n: '*' });
  return Number((row as { n: number | string }).n);
}

/** Whether anyone of this name appears in the log as who did something (an account, `system`, a name typed at a failed login). */
export async function auditHasActor(db: Tx, actor: string): Promise<boolean> {
  return (await db('audit_log').select('id').where({ actor }).first()) !== undefined;
}
