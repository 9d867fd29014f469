import type { Db } from '../db/connection.js';
import { inputsOf } from '../db/queries/inputs.js';
import { listEnabledUnits } from '../db/queries/units.js';
import type { CompiledInput } from '../engine/compiled.js';
import type { Cell } from '../io/csv-write.js';
import type { InputTemplate, TemplateCheck, TemplateColumn } from '../io/input-template.js';
import { HEADER_TITLES } from '../io/sheet-cells.js';
import { own } from '../engine/own.js';
import { enteredInputs, limitsText, periodOf, storedText, trackRules } from './entry.js';
import { assessmentTitle } from './assessments.js';

/**
 * A period's template for a track (数据录入模板): every unit the track appraises listed by
 * name (and by its id, which the import matches it by), one column per input headed by its
 * Chinese label, what each may hold in the note row, and the values already entered for
 * the period filled in, so that a township completes what is missing and uploads it again.
 */

export interface TemplateFile { fileName: string; bytes: Buffer; }

/** A column as wide as its header or note needs, within reason (Excel's width is about one Latin character). */
export const widthOf = (...texts: string[]) => Math.min(28, Math.max(10, ...texts.map((t) => [...t].length * 2 + 2)));

export function checkOf(input: CompiledInput): TemplateCheck | undefined {
  if (input.type === 'integer') return { type: 'whole', min: input.min, max: input.max };
  if (input.type === 'number') return { type: 'decimal', min: input.min, max: input.max };
  if (input.type === 'grade') return { type: 'list', choices: input.grades ?? [] };
  if (input.type === 'boolean') return { type: 'list', choices: ['是', '否'] };
  return undefined;
}

export function noteOf(input: CompiledInput): string {
  if (input.default === undefined) return `${limitsText(input)}；必填`;
  return `${limitsText(input)}；可不填，不填按 ${storedText(input.default)}${typeof input.default === 'number' ? input.unit ?? '' : ''}`;
}

/** What a template is for, as its note row begins to say it: 2024年度 村级千分考核. */
const templateFor = (periodTitle: string, trackName: string) => `${periodTitle} ${trackName}`;

/**
 * How an uploaded template's note row (its title, as readTable found it) differs from the
 * period and track it is uploaded for: the period and the track it names instead, each
 * undefined where it is the same or the row names none (the row is the file's: anything).
 */
export function templateMismatch(title: string, periodId: string, trackName: string | undefined): { period?: string; track?: string } {
  const m = /^(\S+) (.+?) · /.exec(title);
  if (!m) return {};
  const [, periodTitle, named] = m;
  return {
    period: periodTitle !== periodOf(periodId).title ? periodTitle : undefined,
    track: named !== trackName ? named : undefined,
  };
}

/** The template's content, for XLSX and CSV alike. */
export async function inputTemplate(db: Db, periodId: string, track: string, by: string): Promise<InputTemplate> {
  const period = periodOf(periodId);
  const { ruleset } = await trackRules(db, track, by);
  const [units, stored] = await Promise.all([listEnabledUnits(db, ruleset.subject), inputsOf(db, period.id, track)]);
  const valuesOf = new Map(stored.map((r) => [r.unit_id, JSON.parse(r.input_values) as Record<string, unknown>]));
  const inputs = enteredInputs(ruleset);
  const columns: TemplateColumn[] = [
    { header: HEADER_TITLES.name, note: '', width: 18, unit: true },
    { header: HEADER_TITLES.id, note: '请勿修改：导入时据此对应单位', width: 14, unit: true },
    ...inputs.map((i) => ({ header: i.label, note: noteOf(i), width: widthOf(i.label), check: checkOf(i) })),
  ];
  const rows: Cell[][] = units.map((u) => {
    const values = valuesOf.get(u.id);
    return [u.name, u.id, ...inputs.map((i): Cell => {
      const v = values && own(values, i.name);
      return typeof v === 'number' ? v : storedText(v) ?? null;
    })];
  });
  const trackName = (await assessmentTitle(db, track)) ?? '';
  return { title: `${templateFor(period.title, trackName)} · ${ruleset.title}`, sheetName: `${period.title}${trackName}`, columns, rows };
}

/** The template as a file to download: XLSX (with data validation) or CSV. */
export async function inputTemplateFile(db: Db, periodId: string, track: string, format: 'xlsx' | 'csv', by: string): Promise<TemplateFile> {
  const t = await inputTemplate(db, periodId, track, by);
  const { templateXlsx, templateCsv } = await import('../io/input-template.js'); // exceljs: loaded only when asked for
  const fileName = `${periodOf(periodId).title}${(await assessmentTitle(db, track)) ?? ''}数据录入模板.${format}`;
  return { fileName, bytes: format === 'xlsx' ? await templateXlsx(t) : templateCsv(t) };
}
