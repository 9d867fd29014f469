/**
 * The ranking every peer shares (RULES.md §5 for the synthetic rule set): scope by parent,
 * condition-vetoed last, total then the tie-break groups higher first, competition ranks
 * (1, 2, 2, 4), sanctions by rank level, grades and the parents' liability. Written once, so
 * that the peers differ only in how they score; it does the same work as the engine's
 * rankUnits, and the result is listed in the same order (scope, rank, id). The sanctions and grades
 * are the rule set's (`RankSpec`): the 40-criterion one's by default.
 */

export interface PeerScore {
  id: string;
  parent: string;
  total: number;
  /** Vetoed by a condition (a criterion's vetoIf or a vetoes[] entry). */
  vetoed: boolean;
  /** The tie-break scores (g0, g1). */
  tie0: number;
  tie1: number;
}

export interface PeerRanked extends PeerScore {
  rank: number;
  sanctioned: boolean;
  sanctions: string[];
  grade: string;
}

/** A sanction (RULES.md §5, §7.9): by `place` (a rank level) or by `rank` range, with a condition and an exclusive group. */
export interface PeerSanction { place?: number; rank?: [number, number]; when?: (s: PeerScore) => boolean; group?: string; outcome: string; label: string }

/** What ranking does after the order, for one rule set: its sanctions in file order and its grades. */
export interface RankSpec { sanctions: PeerSanction[]; grades: Array<{ atLeast: number; label: string }>; otherwise: string; vetoed: string }

/** The 40-criterion rule set's (bench/synthetic-rules.ts). */
export const V1_RANKING: RankSpec = {
  sanctions: [{ place: 1, outcome: 'commendation', label: '表彰' }, { place: -1, outcome: 'veto', label: '一票否决' }, { place: -2, outcome: 'criticism', label: '通报批评' }],
  grades: [{ atLeast: 900, label: '优秀' }, { atLeast: 750, label: '良好' }, { atLeast: 600, label: '合格' }],
  otherwise: '不合格', vetoed: '不合格（一票否决）',
};

const order = (a: PeerScore, b: PeerScore): number =>
  (a.vetoed !== b.vetoed ? (a.vetoed ? 1 : -1) : 0) || b.total - a.total || b.tie0 - a.tie0 || b.tie1 - a.tie1;
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function rankPeers(scored: PeerScore[], spec: RankSpec = V1_RANKING): { units: PeerRanked[]; liable: string[] } {
  const scopes = new Map<string, PeerScore[]>();
  for (const s of scored) {
    let list = scopes.get(s.parent);
    if (!list) scopes.set(s.parent, (list = []));
    list.push(s);
  }
  const units: PeerRanked[] = [];
  const liable: string[] = [];
  for (const key of [...scopes.keys()].sort(byId)) {
    const list = scopes.get(key)!.sort((a, b) => order(a, b) || byId(a.id, b.id));
    const levels: number[] = [];
    const ranked = list as PeerRanked[];
    for (let i = 0; i < ranked.length; i++) {
      const r = ranked[i];
      const tied = i > 0 && order(ranked[i - 1], r) === 0;
      r.rank = tied ? ranked[i - 1].rank : i + 1;
      if (!tied) levels.push(r.rank);
      r.sanctioned = r.vetoed; r.sanctions = [];
    }
    // A level named by a positive place takes no negative-place sanction (§5), whether or not that sanction's `when` held (§7.9).
    const positive = new Set(spec.sanctions.filter((x) => x.place !== undefined && x.place > 0 && x.place <= levels.length).map((x) => x.place! - 1));
    const taken = spec.sanctions.some((x) => x.group) ? new Map<PeerRanked, Set<string>>() : undefined;
    for (const s of spec.sanctions) {
      let falls: (r: PeerRanked) => boolean;
      if (s.place !== undefined) {
        const level = s.place > 0 ? s.place - 1 : levels.length + s.place;
        if (level < 0 || level >= levels.length || (s.place < 0 && positive.has(level))) continue;
        falls = (r) => r.rank === levels[level];
      } else {
        const [from, to] = s.rank!;
        falls = (r) => r.rank >= from && r.rank <= to;
      }
      for (const r of ranked) {
        if (!falls(r) || (s.when && !s.when(r))) continue;
        if (s.group) {
          let groups = taken!.get(r);
          if (!groups) taken!.set(r, (groups = new Set()));
          if (groups.has(s.group)) continue;
          groups.add(s.group);
        }
        r.sanctions.push(s.outcome);
        if (s.outcome === 'veto') r.sanctioned = true;
      }
    }
    let childVetoed = false;
    for (const r of ranked) {
      if (r.sanctioned) r.sanctions = r.sanctions.filter((x) => x !== 'commendation');
      r.grade = r.sanctioned ? spec.vetoed : spec.grades.find((g) => r.total >= g.atLeast)?.label ?? spec.otherwise;
      if (r.vetoed) childVetoed = true;
      units.push(r);
    }
    if (childVetoed) liable.push(key);
  }
  return { units, liable };
}
