/**
 * Periods of appraisal: a year (2023), a half-year (2024H1) or a quarter (2024Q3).
 * The id says what the period is; the title is how a township writes it.
 */
export interface PeriodSpec { id: string; title: string; kind: 'annual' | 'half-year' | 'quarter'; }

export class PeriodInvalid extends Error {
  readonly code = 'PERIOD_INVALID';
}

/** How a township writes a period (2024年上半年); the id itself when it is none that parsePeriod knows. */
export function periodTitle(id: string): string {
  try {
    return parsePeriod(id).title;
  } catch (e) {
    if (e instanceof PeriodInvalid) return id;
    throw e;
  }
}

export function parsePeriod(text: string): PeriodSpec {
  const id = text.trim().toUpperCase();
  const m = /^(\d{4})(?:([HQ])([1-4]))?$/.exec(id);
  if (!m || (m[2] === 'H' && Number(m[3]) > 2)) {
    throw new PeriodInvalid(`考核期 “${text}” 格式不对：应为年份（2023）、半年（2024H1、2024H2）或季度（2024Q1…Q4）`);
  }
  const [, year, kind, n] = m;
  if (!kind) return { id, title: `${year}年度`, kind: 'annual' };
  if (kind === 'H') return { id, title: `${year}年${n === '1' ? '上' : '下'}半年`, kind: 'half-year' };
  return { id, title: `${year}年第${n}季度`, kind: 'quarter' };
}
