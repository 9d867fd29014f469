import { appraise, SourceResults, type Appraisal, type CompiledRuleSet, type SourceResult } from '../../src/engine/index.js';
import { parseJsonData } from '../../src/io/data-file.js';
import { compile, ruleSet } from '../helpers.js';

/**
 * A version-2 rule set with every construct of RULES.md §7 a reader is told about (peer functions, appliesIf,
 * group conditions, events by level and by points, floor, amount over sources, vetoTitle, sanctions by rank range
 * with when and group), and six villages of one township scored by it: for the tests of the printed 细则 and of the
 * scorecard's reasons (issue 20, point 5).
 */
export const V2_FILE = ruleSet({
  title: '2024年度村级安全生产与综合考核细则',
  subject: 'village',
  totalPoints: 300,
  precision: 1,
  inputs: {
    rectify: { label: '隐患整改率', type: 'number', min: 0, max: 100, unit: '%' },
    farm: { label: '是否农场', type: 'boolean', default: false },
    irrigated: { label: '灌溉面积达标率', type: 'number', min: 0, max: 100, unit: '%', default: 0 },
    accidents: { label: '安全生产事故', type: 'events', unit: '起', levels: { 一般: 5, 较大: 10, 重大: 30 }, range: [2, 5] },
    findings: { label: '督查发现问题', type: 'events', unit: '个', range: [1, 3] },
    petitions: { label: '越级上访', type: 'integer', min: 0, unit: '件' },
    weak: { label: '村党组织软弱涣散', type: 'boolean' },
  },
  sources: {
    fp: { label: '计划生育专项考核', ruleset: 'village-fp', scores: ['indicators'], metrics: ['birthRate'] },
    party: { label: '党建专项考核', ruleset: 'village-party' },
  },
  items: [
    {
      id: 'safety', title: '一、安全生产', points: 100, items: [
        {
          id: 'rankRectify', title: '隐患整改排名', points: 60,
          award: { method: 'bands', value: 'peerRank(rectify)', bands: [{ atMost: 1, points: 60 }, { atMost: 2, points: 57 }, { atMost: 3, points: 54 }, { atMost: 4, points: 51 }, { atMost: 5, points: 48 }, { points: 40 }] },
        },
        {
          id: 'accidentsItem', title: '安全生产事故', points: 20, floor: -10,
          deduct: [{ method: 'amount', value: 'sum(accidents)' }],
          vetoIf: 'count(accidents, "重大") > 0', vetoTitle: '发生重大安全生产事故',
        },
        { id: 'findingsItem', title: '督查发现问题', points: 20, deduct: [{ method: 'amount', value: 'sum(findings)' }] },
      ],
    },
    {
      id: 'farming', title: '二、农田水利', points: 50, appliesIf: 'not farm', items: [
        { id: 'irrigation', title: '灌溉面积达标', points: 50, award: { method: 'ratio', value: 'irrigated / peerMax(irrigated)' } },
      ],
    },
    {
      id: 'stability', title: '三、信访维稳', points: 50, zeroIf: 'weak', vetoIf: 'petitions > 5', vetoTitle: '越级上访多发', items: [
        { id: 'petitionsItem', title: '越级上访', points: 30, deduct: [{ method: 'per', count: 'petitions', points: 10 }] },
        { id: 'aboveAverage', title: '整改高于平均水平', points: 20, award: { method: 'check', test: 'rectify >= peerAvg(rectify)' } },
      ],
    },
    { id: 'composite', title: '四、综合得分', points: 100, award: { method: 'amount', value: 'fp.total * 0.4 + party.total * 0.6' } },
  ],
  vetoes: [
    { id: 'manyAccidents', title: '安全生产事故多发', when: 'count(accidents) >= 4' },
    { id: 'fpFailed', title: '计划生育工作未达标', when: 'fp.birthRate > 20 or fp.indicators < 100' },
  ],
  grades: [{ atLeast: 270, label: '优秀' }, { atLeast: 240, label: '良好' }, { label: '一般' }],
  ranking: {
    scope: 'parent',
    sanctions: [
      { rank: [1, 2], when: 'total >= 250', group: 'prize', outcome: 'commendation', label: '一等奖' },
      { rank: [1, 4], when: 'total >= 200', group: 'prize', outcome: 'commendation', label: '二等奖' },
      { place: -1, outcome: 'criticism', label: '通报批评' },
    ],
  },
});

export const V2_ROWS: Array<Record<string, unknown>> = [
  { id: 'v01', name: '枫林村', parent: 't1', rectify: 98, irrigated: 90, petitions: 0, weak: false, accidents: [], findings: [] },
  { id: 'v02', name: '竹园村', parent: 't1', rectify: 95, irrigated: 80, petitions: 1, weak: false, accidents: [{ level: '一般' }], findings: [{ points: 2 }] },
  { id: 'v03', name: '石桥村', parent: 't1', rectify: 92, farm: true, petitions: 0, weak: false, accidents: [{ level: '较大' }, { level: '较大' }, { level: '一般' }, { points: 4 }], findings: [{ points: 1 }, { points: 3 }] },
  { id: 'v04', name: '河湾农场', parent: 't1', rectify: 90, farm: true, petitions: 2, weak: true, accidents: [], findings: [] },
  { id: 'v05', name: '新塘村', parent: 't1', rectify: 85, irrigated: 45, petitions: 7, weak: false, accidents: [{ level: '重大' }], findings: [] },
  { id: 'v06', name: '东坡村', parent: 't1', rectify: 80, irrigated: 60, petitions: 0, weak: false, accidents: [], findings: [] },
];

const FP: Record<string, number> = { v01: 96.5, v02: 90, v03: 88, v04: 70, v05: 80, v06: 60 };
const PARTY: Record<string, number> = { v01: 88, v02: 92, v03: 85, v04: 75, v05: 70, v06: 65 };

function results(totals: Record<string, number>): SourceResults {
  return SourceResults.from(Object.entries(totals).map(([id, total]): [string, SourceResult] => [id, {
    total, rank: 1, grade: '优秀', vetoed: false, bonus: 0, penalty: 0, applicablePoints: 100, scores: { indicators: total * 5 }, metrics: { birthRate: 8.5 },
  }]));
}

export function v2RuleSet(): CompiledRuleSet {
  return compile(V2_FILE);
}

export function v2Appraisal(rs: CompiledRuleSet, rows = V2_ROWS): Appraisal {
  return appraise(rs, parseJsonData(JSON.stringify(rows), 'd.json'), { sources: new Map([['fp', results(FP)], ['party', results(PARTY)]]) });
}

/** The rows as a run's snapshot pins them: each source's figures in the unit's own columns (fp.total …). */
export function v2SnapshotRows(rows = V2_ROWS): Array<Record<string, unknown>> {
  const columns = (source: string, total: number) => Object.fromEntries(Object.entries({
    total, rank: 1, grade: '优秀', vetoed: false, bonus: 0, penalty: 0, applicablePoints: 100, ...(source === 'fp' ? { indicators: total * 5, birthRate: 8.5 } : {}),
  }).map(([k, v]) => [`${source}.${k}`, v]));
  return rows.map((r) => ({ ...r, ...columns('fp', FP[r.id as string]), ...columns('party', PARTY[r.id as string]) }));
}
