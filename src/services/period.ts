/**
 * Periods of appraisal: a year (2023), a half-year (2024H1), a quarter (2024Q3) or a month
 * (2024M03, for 按月考核). The id says what the period is; the title is how a township writes it.
 */
export interface PeriodSpec { id: string; title: string; kind: 'annual' | 'half-year' | 'quarter' | 'month'; }

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
  const m = /^(\d{4})(?:([HQ])([1-4])|M(0[1-9]|1[0-2]))?$/.exec(id);
  if (!m || (m[2] === 'H' && Number(m[3]) > 2)) {
    throw new PeriodInvalid(`考核期 “${text}” 格式不对：应为年份（2023）、半年（2024H1、2024H2）、季度（2024Q1…Q4）或月份（2024M01…M12）`);
  }
  const [, year, kind, n, month] = m;
  if (month) return { id, title: `${year}年${Number(month)}月`, kind: 'month' };
  if (!kind) return { id, title: `${year}年度`, kind: 'annual' };
  if (kind === 'H') return { id, title: `${year}年${n === '1' ? '上' : '下'}半年`, kind: 'half-year' };
  return { id, title: `${year}年第${n}季度`, kind: 'quarter' };
}

/** A period's first month (counted from year 0) and its length in months; undefined for an id parsePeriod refuses. */
export function periodSpan(id: string): { start: number; months: number } | undefined {
  let p: PeriodSpec;
  try { p = parsePeriod(id); } catch (e) { if (e instanceof PeriodInvalid) return undefined; throw e; }
  const year = Number(p.id.slice(0, 4)) * 12;
  const n = Number(p.id.slice(5));
  switch (p.kind) {
    case 'annual': return { start: year, months: 12 };
    case 'half-year': return { start: year + (n - 1) * 6, months: 6 };
    case 'quarter': return { start: year + (n - 1) * 3, months: 3 };
    case 'month': return { start: year + n - 1, months: 1 };
  }
}

/** A period's first and last day (YYYY-MM-DD); undefined for an id parsePeriod refuses. */
export function periodDays(id: string): { first: string; last: string } | undefined {
  const span = periodSpan(id);
  if (!span) return undefined;
  const day = (monthIndex: number, d: number) => new Date(Date.UTC(Math.floor(monthIndex / 12), monthIndex % 12, d)).toISOString().slice(0, 10);
  // The last day: the day before the next period's first, day 0 of the month after.
  return { first: day(span.start, 1), last: day(span.start + span.months, 0) };
}

/**
 * Periods newest first, as lists show them: by the month each starts, the latest first, and
 * of those starting in the same month the longest first: 2024年第二季度, 2024年4月, 2024年3月,
 * 2024年2月, 2024年度, 2024年上半年, 2024年第一季度, 2024年1月. Ids that are no period come last.
 */
export function newestPeriodsFirst<T extends { id: string }>(periods: readonly T[]): T[] {
  const spans = new Map(periods.map((p) => [p.id, periodSpan(p.id)]));
  return [...periods].sort((a, b) => {
    const x = spans.get(a.id), y = spans.get(b.id);
    if (!x || !y) return (x ? -1 : y ? 1 : 0) || b.id.localeCompare(a.id);
    return y.start - x.start || y.months - x.months || b.id.localeCompare(a.id);
  });
}

/**
 * The period a source reads (RULES.md §7.8): `same`; `previous`, the period before of the same
 * kind (2023 for 2024, 2024Q2 for 2024Q3, 2023M12 for 2024M01); `lastYear`, the same period a
 * year before; `H1`…`Q4`, `M01`…`M12` of the current period's year (按月考核 reads twelve).
 */
export function sourcePeriod(periodId: string, spec: string): string {
  const p = parsePeriod(periodId);
  const year = Number(p.id.slice(0, 4));
  if (spec === 'same') return p.id;
  if (spec === 'lastYear') return `${year - 1}${p.id.slice(4)}`;
  if (spec !== 'previous') return parsePeriod(`${year}${spec}`).id;
  const n = p.kind === 'annual' ? 0 : Number(p.id.slice(5));
  switch (p.kind) {
    case 'annual': return String(year - 1);
    case 'half-year': return n === 1 ? `${year - 1}H2` : `${year}H1`;
    case 'quarter': return n === 1 ? `${year - 1}Q4` : `${year}Q${n - 1}`;
    case 'month': return n === 1 ? `${year - 1}M12` : `${year}M${String(n - 1).padStart(2, '0')}`;
  }
}
