/**
 * The ranking every peer shares (RULES.md §5 for the synthetic rule set): scope by parent,
 * condition-vetoed last, total then the tie-break groups higher first, competition ranks
 * (1, 2, 2, 4), sanctions by rank level, grades and the parents' liability. Written once, so
 * that the peers differ only in how they score; it does the same work as the engine's
 * rankUnits, and the result is listed in the same order (scope, rank, id).
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

const SANCTIONS = [{ place: 1, outcome: 'commendation', label: '表彰' }, { place: -1, outcome: 'veto', label: '一票否决' }, { place: -2, outcome: 'criticism', label: '通报批评' }];
const GRADES = [{ atLeast: 900, label: '优秀' }, { atLeast: 750, label: '良好' }, { atLeast: 600, label: '合格' }];

const order = (a: PeerScore, b: PeerScore): number =>
  (a.vetoed !== b.vetoed ? (a.vetoed ? 1 : -1) : 0) || b.total - a.total || b.tie0 - a.tie0 || b.tie1 - a.tie1;
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function rankPeers(scored: PeerScore[]): { units: PeerRanked[]; liable: string[] } {
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
    const positive = new Set(SANCTIONS.filter((x) => x.place > 0 && x.place <= levels.length).map((x) => x.place - 1));
    for (const s of SANCTIONS) {
      const level = s.place > 0 ? s.place - 1 : levels.length + s.place;
      if (level < 0 || level >= levels.length || (s.place < 0 && positive.has(level))) continue;
      for (const r of ranked) if (r.rank === levels[level]) { r.sanctions.push(s.outcome); if (s.outcome === 'veto') r.sanctioned = true; }
    }
    let childVetoed = false;
    for (const r of ranked) {
      if (r.sanctioned) r.sanctions = r.sanctions.filter((x) => x !== 'commendation');
      r.grade = r.sanctioned ? '不合格（一票否决）' : GRADES.find((g) => r.total >= g.atLeast)?.label ?? '不合格';
      if (r.vetoed) childVetoed = true;
      units.push(r);
    }
    if (childVetoed) liable.push(key);
  }
  return { units, liable };
}
