import type { Tx } from '../connection.js';

export type AppealStatus = 'open' | 'rejected' | 'accepted';

export interface AppealRow {
  id: number; run_id: number; unit_id: string; items: string; reason: string; status: AppealStatus; answer: string | null;
  filed_by: string; filed_at: string; answered_by: string | null; answered_at: string | null; correction_run_id: number | null;
}

/** Appeals not yet answered: of one run, or of every run. */
export async function openAppealCount(db: Tx, runId?: number): Promise<number> {
  const q = db('appeals').where({ status: 'open' });
  if (runId !== undefined) q.where({ run_id: runId });
  const [row] = await q.count({ n: '*' });
  return Number((row as { n: number | string }).n);
}
