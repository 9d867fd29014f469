import type { Tx } from '../connection.js';

/** An assessment (考核) a township runs: its id is what the `track` columns of inputs, snapshots and runs hold. */
export interface AssessmentRow {
  id: string; title: string; unit_kind: 'village' | 'staff'; ruleset_id: string; position: number; disabled_at: string | null;
}

/** Every assessment, disabled ones included, in the order the township set. */
export async function listAssessmentRows(db: Tx): Promise<AssessmentRow[]> {
  return db('assessments').orderBy([{ column: 'position' }, { column: 'id' }]);
}

export async function insertAssessment(db: Tx, row: AssessmentRow): Promise<void> {
  await db('assessments').insert(row);
}

export async function updateAssessment(db: Tx, id: string, changes: Partial<Omit<AssessmentRow, 'id'>>): Promise<boolean> {
  return (await db('assessments').where({ id }).update(changes)) === 1;
}
