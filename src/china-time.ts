/**
 * Times as the clock on a township office's wall shows them: China Standard Time (北京时间,
 * UTC+8, no summer time), whatever the server's own time zone. The record keeps UTC.
 */

const OFFSET_MS = 8 * 3600_000;

/** The ISO form of the moment, its digits read in China Standard Time (its 'Z' no longer true): undefined for no moment. */
function inChina(moment: number | string): string | undefined {
  const ms = typeof moment === 'number' ? moment : Date.parse(moment);
  return Number.isFinite(ms) ? new Date(ms + OFFSET_MS).toISOString() : undefined;
}

/** 14:05:09 */
export const chinaClock = (moment: number | string): string => inChina(moment)?.slice(11, 19) ?? '';

/** 2024-01-31 */
export const chinaDate = (moment: number | string): string => inChina(moment)?.slice(0, 10) ?? '';

/** 2024-01-31 09:30:05 */
export const chinaSecond = (moment: number | string): string => inChina(moment)?.slice(0, 19).replace('T', ' ') ?? '';

/** 2024-01-31 09:30 */
export const chinaDateTime = (moment: number | string): string => inChina(moment)?.slice(0, 16).replace('T', ' ') ?? '';
