/**
 * Times as the clock on a township office's wall shows them: China Standard Time (北京时间,
 * Asia/Shanghai, UTC+8, no summer time) unless TIME_ZONE says otherwise (src/config.ts),
 * whatever the server's own time zone. The record keeps UTC; only what a person reads is local.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

let zone = DEFAULT_TIME_ZONE;
let format = formatFor(zone);

function formatFor(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** Whether a name is a time zone this machine knows (an IANA name such as Asia/Shanghai). */
export function isTimeZone(name: string): boolean {
  try {
    formatFor(name);
    return true;
  } catch {
    return false;
  }
}

/** The zone every time is shown in from now on: set once at start-up from the configuration. */
export function setTimeZone(name: string): void {
  if (!isTimeZone(name)) throw new RangeError(`unknown time zone “${name}”`);
  zone = name;
  format = formatFor(name);
}

export function timeZone(): string {
  return zone;
}

/** What a message calls the zone its times are in: 北京时间, or the zone's own name when TIME_ZONE names another. */
export function zoneName(): string {
  return zone === DEFAULT_TIME_ZONE ? '北京时间' : zone;
}

/** `2024-01-31T09:30:05`, the moment's digits read in the zone: undefined for no moment. */
function local(moment: number | string): string | undefined {
  const ms = typeof moment === 'number' ? moment : Date.parse(moment);
  if (!Number.isFinite(ms)) return undefined;
  const second = Math.floor(ms / 1000) * 1000;
  const offset = offsetAround(second);
  if (offset !== undefined) {
    const shown = new Date(second + offset);
    const year = shown.getUTCFullYear();
    if (year >= 1000 && year <= 9999) return shown.toISOString().slice(0, 19);
  }
  return partsOf(second);
}

/** The moment's digits as the zone's formatter gives them. */
function partsOf(ms: number): string {
  const part: Record<string, string> = {};
  for (const p of format.formatToParts(ms)) part[p.type] = p.value;
  return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}:${part.second}`;
}

/**
 * The zone's offset from UTC over the quarter hour a moment falls in, asked of the formatter once a quarter
 * hour (a page of a hundred times asks it a hundred times otherwise, and each asking is slow): the same at the
 * quarter's first and last second, else undefined (the offset changes within it, and each moment is asked).
 */
const QUARTER_MS = 15 * 60_000;
const offsets = new Map<number, number | undefined>();
let offsetsZone = zone;
function offsetAround(second: number): number | undefined {
  if (offsetsZone !== zone) { offsets.clear(); offsetsZone = zone; }
  const start = Math.floor(second / QUARTER_MS) * QUARTER_MS;
  if (offsets.has(start)) return offsets.get(start);
  const at = (t: number) => Date.parse(`${partsOf(t)}Z`) - t;
  const first = at(start), last = at(start + QUARTER_MS - 1000);
  if (offsets.size >= 10_000) offsets.clear();
  const offset = first === last && Number.isFinite(first) ? first : undefined;
  offsets.set(start, offset);
  return offset;
}

/** 14:05:09 */
export const localClock = (moment: number | string): string => local(moment)?.slice(11, 19) ?? '';

/** 2024-01-31 */
export const localDate = (moment: number | string): string => local(moment)?.slice(0, 10) ?? '';

/** 2024-01-31 09:30:05 */
export const localSecond = (moment: number | string): string => local(moment)?.replace('T', ' ') ?? '';

/** 2024-01-31 09:30 */
export const localDateTime = (moment: number | string): string => local(moment)?.slice(0, 16).replace('T', ' ') ?? '';

/**
 * The moment a day (YYYY-MM-DD) begins in the zone, as an ISO instant: 2024-12-02 in
 * China Standard Time begins at 2024-12-01T16:00:00.000Z. Read from the zone's own offset
 * at that moment (twice, for a zone whose offset changes that day).
 */
export function localDayStart(date: string): string {
  const wanted = Date.parse(`${date}T00:00:00Z`);
  let guess = wanted;
  for (let k = 0; k < 2; k++) {
    const shown = Date.parse(`${local(guess)}Z`);
    guess += wanted - shown;
  }
  return new Date(guess).toISOString();
}
