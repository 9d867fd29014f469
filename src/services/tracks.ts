import { own, table } from '../engine/own.js';

/**
 * The tracks (考核类别) a township runs: what each is called wherever a person reads it (pages,
 * exports, file names) and the rule set it is scored with unless another is named. One table
 * for every page and command; like every table of the product's names it holds no names but
 * its own, so a track posted as `constructor` is no track.
 */
export const TRACK_TITLES: Readonly<Record<string, string>> = table({ village: '村级千分考核', staff: '双线考核（工作人员）' });

/** The rule set a track is scored with unless another is named. */
export const DEFAULT_RULESET: Readonly<Record<string, string>> = table({ village: 'village-annual', staff: 'staff-annual' });

export const isTrack = (track: string): boolean => Object.hasOwn(TRACK_TITLES, track);

/** A track's title; for a rule set's subject that is no track (a statistics report's), undefined. */
export const trackTitle = (track: string): string | undefined => own(TRACK_TITLES, track);

/** How a track's units are counted: 18个 villages, 26人 staff. */
const COUNT_NOUNS: Readonly<Record<string, string>> = table({ village: '个', staff: '人' });
export const countOf = (track: string, n: number): string => `${n}${own(COUNT_NOUNS, track) ?? '个'}`;

/** The tracks as a form offers them. */
export const trackOptions = (selected?: string): Array<{ id: string; name: string; selected: boolean }> =>
  Object.entries(TRACK_TITLES).map(([id, name]) => ({ id, name, selected: id === selected }));
