import { round9 } from './decimal.js';
import { PEER_FUNCTIONS, StringTable, type Expr, type ExprProblem, type NameInfo, type PeerFunction, type ValueType } from './expression/ast.js';
import { compileExpression, usesPeers, type ExprContext, type Scope, type Typed } from './expression/compile.js';
import { ExprSyntaxError, namesIn, parseExpression } from './expression/parser.js';
import { pointerToken } from './json-source.js';
import { compileMethod } from './methods.js';
import type {
  CompiledAdjustments, CompiledCheck, CompiledCriterion, CompiledGroup, CompiledInput, CompiledMetric,
  CompiledNode, CompiledPeer, CompiledRuleSet, CompiledSanction, CompiledSource, CompiledVeto,
} from './compiled.js';
import type { AdjustmentDef, CriterionDef, ItemDef, Method, RuleSetFile } from './ruleset.js';
import { isGroup } from './ruleset.js';

/**
 * The checks RULES.md implies beyond the JSON Schema, and compilation: points add up,
 * ids are unique, every name is known and of the right type, each method stands where
 * it may, tie-break ids exist. Every problem is collected; nothing stops at the first.
 */

export interface SemanticProblem {
  code: string;
  message: string;
  pointer: string;
  /** Offset inside the string at `pointer`, for expression problems. */
  offset?: number;
}

const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** What every source gives (§7.8): the unit's total, rank, grade, veto, bonus, penalty and applicable points there. */
export const SOURCE_FIELDS: Array<[string, CompiledInput['type'], string]> = [
  ['total', 'number', '总分'], ['rank', 'integer', '排名'], ['grade', 'text', '等级'],
  ['vetoed', 'boolean', '是否被一票否决'], ['bonus', 'number', '加分'], ['penalty', 'number', '扣分'],
  ['applicablePoints', 'number', '适用分值'],
];
/** A link (the project's extension) reads what a version-1 result has: no applicable points. */
export const LINK_FIELDS = SOURCE_FIELDS.filter(([f]) => f !== 'applicablePoints');
const PEER_SCOPE_WORDS = '同类比较';
const RESERVED = new Set(['and', 'or', 'not', 'true', 'false']);
/** Far longer than any real formula or condition (the shipped ones are under 200 characters). */
export const MAX_EXPRESSION_CHARS = 10_000;

/** A peer call by its function and its argument's tree, offsets aside: `peerMax(x)` is one call wherever it is written. */
export function peerCallKey(fn: string, arg: Expr): string {
  return `${fn}|${JSON.stringify(arg, (key, value) => (key === 'at' ? undefined : value))}`;
}

export function compileRuleSet(file: RuleSetFile): { ruleset?: CompiledRuleSet; problems: SemanticProblem[] } {
  const problems: SemanticProblem[] = [];
  const problem = (code: string, pointer: string, message: string, offset?: number) =>
    problems.push({ code, message, pointer, offset });

  // ---- names: inputs, then metrics in file order ----
  const names = new Map<string, NameInfo>();
  const strings = new StringTable();
  const constants: unknown[] = [];
  let slot = 0;
  const inputs: CompiledInput[] = [];
  for (const [name, def] of Object.entries(file.inputs ?? {})) {
    const at = `/inputs/${pointerToken(name)}`;
    if (RESERVED.has(name)) problem('DUPLICATE_NAME', at, `“${name}” 是保留字，不能用作输入名`);
    const reportedBy = def.reportedBy ?? 'township';
    if (def.type === 'events') {
      // An events input (§7.6): its figures are slots of their own, written as the unit's events are read.
      const range = def.range;
      if (!def.levels && !range) problem('INPUT_INVALID', at, `事件台账 “${name}” 须有 levels（等级及其分值）或 range（每起分值范围），或两者都有`);
      if (range && range[0] > range[1]) problem('INPUT_INVALID', `${at}/range`, `每起分值范围的下限 ${range[0]} 大于上限 ${range[1]}`);
      const input: CompiledInput = { name, label: def.label ?? name, type: 'events', unit: def.unit, levels: def.levels, range: range && [range[0], range[1]], reportedBy, evidence: def.evidence, slot: slot++ };
      const levels = new Map<string, number>();
      for (const level of Object.keys(def.levels ?? {})) levels.set(level, slot++);
      input.figures = { count: input.slot, sum: slot++, levels };
      inputs.push(input);
      names.set(name, { type: 'number', slot: input.slot, events: input.figures });
      continue;
    }
    if (def.type === 'grade' && !def.grades?.length) problem('INPUT_INVALID', at, `等级输入 “${name}” 须列出 grades（如 ["好","中","差"]）`);
    if (def.min !== undefined && def.max !== undefined && def.min > def.max) problem('INPUT_INVALID', `${at}/min`, `最小值 ${def.min} 大于最大值 ${def.max}`);
    if (def.default !== undefined) {
      const d = def.default;
      const ok = def.type === 'boolean' ? typeof d === 'boolean'
        : def.type === 'grade' ? typeof d === 'string' && !!def.grades?.includes(d)
        : typeof d === 'number' && (def.type !== 'integer' || Number.isInteger(d))
          && (def.min === undefined || d >= def.min) && (def.max === undefined || d <= def.max);
      if (!ok) problem('INPUT_INVALID', `${at}/default`, `默认值 ${JSON.stringify(d)} 不符合输入 “${name}” 的类型或范围`);
    }
    const type: ValueType = def.type === 'boolean' ? 'boolean' : def.type === 'grade' ? 'string' : 'number';
    const input: CompiledInput = { name, label: def.label ?? name, type: def.type, min: def.min, max: def.max, unit: def.unit, grades: def.grades, default: def.default, reportedBy, evidence: def.evidence, slot: slot++ };
    inputs.push(input);
    names.set(name, { type, slot: input.slot, grades: def.grades });
  }

  // ---- sources (§7.8) and links (read as sources through the parent) ----
  const sources: CompiledSource[] = [];
  const sourceNames = new Set<string>();
  const declared: Array<[string, 'sources' | 'links', { label?: string; ruleset?: string; period?: string; match?: 'self' | 'parent'; required?: boolean; scores?: string[]; metrics?: string[] }]> = [
    ...Object.entries(file.sources ?? {}).map(([n, d]): [string, 'sources', typeof d] => [n, 'sources', d]),
    ...Object.entries(file.links ?? {}).map(([n, d]): [string, 'links', typeof d] => [n, 'links', d]),
  ];
  for (const [source, key, def] of declared) {
    const at = `/${key}/${pointerToken(source)}`;
    if (names.has(source) || RESERVED.has(source)) problem('DUPLICATE_NAME', at, `${key === 'links' ? '关联' : '来源'}名 “${source}” 与输入重名`);
    if (sourceNames.has(source)) problem('DUPLICATE_NAME', at, `来源名 “${source}” 重复`);
    sourceNames.add(source);
    const link = key === 'links';
    const compiled: CompiledSource = {
      name: source, label: def?.label ?? source, ruleset: def?.ruleset ?? '', period: def?.period ?? 'same',
      match: link ? 'parent' : def?.match ?? 'self', required: link ? true : def?.required ?? true,
      scores: link ? [] : [...(def?.scores ?? [])], metrics: [...(def?.metrics ?? [])], link,
    };
    sources.push(compiled);
    const fields: Array<[string, CompiledInput['type'], string]> = [
      ...(link ? LINK_FIELDS : SOURCE_FIELDS),
      ...compiled.scores.map((id): [string, CompiledInput['type'], string] => [id, 'number', `“${id}”得分`]),
      ...compiled.metrics.map((m): [string, CompiledInput['type'], string] => [m, 'number', `的${m}`]),
    ];
    for (const [field, type, label] of fields) {
      const name = `${source}.${field}`;
      if (names.has(name)) continue; // a score id spelled as a field (total) reads the field
      const input: CompiledInput = { name, label: `${compiled.label}${label}`, type, link: source, reportedBy: 'township', slot: slot++ };
      inputs.push(input);
      names.set(name, { type: type === 'boolean' ? 'boolean' : type === 'text' ? 'string' : 'number', slot: input.slot });
    }
  }

  // ---- peers (§7.7): each distinct call a slot, its argument a closure evaluated for every unit of the scope ----
  const peers: CompiledPeer[] = [];
  const peerSlots = new Map<string, number>();
  const peerCalls = new Map<string, number>();
  /** The names of scores, the total, the bonus and the penalty: defined only where the unit's scores are (vetoes, sanctions). */
  const scoreNames = new Map<string, NameInfo>();
  const peerContext: ExprContext = {
    peer: (fn: PeerFunction, arg: Typed, tree: Expr) => {
      const key = `${fn}|${arg.src}`;
      let at = peerSlots.get(key);
      if (at === undefined) {
        const tier = [...namesIn(tree)].some((n) => !names.has(n) && scoreNames.has(n)) ? 'score' : 'value';
        peerSlots.set(key, (at = slot++));
        peers.push({ fn, argSrc: arg.src, slot: at, tier, reads: [...namesIn(tree)] });
      }
      peerCalls.set(peerCallKey(fn, tree), at);
      return at;
    },
  };

  /** Refused before it is parsed, so that a pasted blob cannot tie up (or overflow) the parser. */
  const tooLong = (pointer: string, text: string): boolean => {
    if (text.length <= MAX_EXPRESSION_CHARS) return false;
    problem('EXPR_TOO_LONG', pointer, `表达式过长：${text.length} 个字符，最多 ${MAX_EXPRESSION_CHARS} 个`, 0);
    return true;
  };

  const syntaxProblem = (pointer: string, e: ExprSyntaxError) =>
    problem(e.code, pointer, e.code === 'EXPR_SYNTAX' ? `表达式语法错误：${e.message}` : e.message, e.at);

  // A metric whose formula cannot be read is reported once, where it is written: a formula
  // that names it is not also told that the name is unknown.
  const unreadableMetrics = new Set<string>();
  const reportFound = (pointer: string, found: ExprProblem[]) => {
    for (const p of found) {
      if (p.code === 'EXPR_UNKNOWN_NAME' && p.name !== undefined && unreadableMetrics.has(p.name)) continue;
      problem(p.code, pointer, p.message, p.at);
    }
  };

  /** Every name an expression, a method or a condition of the file reads (a source's fields no one reads are left unread). */
  const named = new Set<string>();
  const scopeOf = (extra?: Map<string, NameInfo>): Scope => (name) => {
    const found = names.get(name);
    if (found) { named.add(name); return found; }
    return extra?.get(name);
  };

  const compileAt = (pointer: string, text: unknown, type: ValueType, scope: Scope, what: string): Typed | undefined => {
    if (typeof text !== 'string') return undefined; // the schema reports it
    if (tooLong(pointer, text)) return undefined;
    let tree;
    try {
      tree = parseExpression(text);
    } catch (e) {
      if (e instanceof ExprSyntaxError) { syntaxProblem(pointer, e); return undefined; }
      throw e;
    }
    const found: ExprProblem[] = [];
    const typed = compileExpression(tree, scope, found, strings, peerContext);
    reportFound(pointer, found);
    if (found.length) return undefined;
    if (typed.type !== type) {
      const want = type === 'boolean' ? '真假值（条件）' : type === 'number' ? '数值' : '文字';
      problem('EXPR_TYPE', pointer, `${what}应为${want}`, 0);
      return undefined;
    }
    return typed;
  };

  const metrics: CompiledMetric[] = [];
  /** The names each metric's formula reads (inputs and earlier metrics). */
  const metricReads = new Map<string, string[]>();
  for (const [name, def] of Object.entries(file.metrics ?? {})) {
    const at = `/metrics/${pointerToken(name)}`;
    if (names.has(name) || RESERVED.has(name) || sourceNames.has(name)) { problem('DUPLICATE_NAME', at, `指标名 “${name}” 与已有的输入、来源或指标重名`); continue; }
    if (typeof def?.expr !== 'string' || tooLong(`${at}/expr`, def.expr)) { unreadableMetrics.add(name); continue; }
    let tree;
    try { tree = parseExpression(def.expr); } catch (e) {
      if (e instanceof ExprSyntaxError) { syntaxProblem(`${at}/expr`, e); unreadableMetrics.add(name); continue; }
      throw e;
    }
    const found: ExprProblem[] = [];
    const typed = compileExpression(tree, scopeOf(), found, strings, peerContext);
    reportFound(`${at}/expr`, found);
    const metric: CompiledMetric = { name, type: typed.type, label: def.label ?? name, unit: def.unit, decimals: def.decimals ?? 2, slot: slot++, fn: typed.fn, src: typed.src };
    metrics.push(metric);
    metricReads.set(name, [...namesIn(tree)]);
    names.set(name, { type: typed.type, slot: metric.slot, grades: typed.grades, peers: usesPeers(tree, scopeOf()) });
  }
  const inputScope = scopeOf();

  // ---- ids ----
  const ids = new Map<string, string>();
  const claimId = (id: unknown, pointer: string) => {
    if (typeof id !== 'string') return;
    const first = ids.get(id);
    if (first !== undefined) problem('DUPLICATE_ID', `${pointer}/id`, `编号 “${id}” 重复（首次出现在 ${first}）`);
    else ids.set(id, pointer);
  };

  const methodContext = (pointer: string, def: Method) => ({
    expr: (field: string, type: ValueType) =>
      compileAt(`${pointer}/${field}`, (def as unknown as Record<string, unknown>)[field], type, inputScope,
        field === 'when' || field === 'test' ? `“${field}” 条件` : `“${field}”`),
    input: (field: string) => {
      const name = (def as unknown as Record<string, unknown>)[field];
      if (typeof name !== 'string') return undefined;
      const found = inputs.find((i) => i.name === name || i.label === name);
      if (!found) problem('UNKNOWN_INPUT', `${pointer}/${field}`, `未定义的输入 “${name}”`);
      else named.add(found.name);
      return found;
    },
    problem: (code: string, field: string, message: string) => problem(code, `${pointer}/${field}`, message),
    strings,
    constant: (value: unknown) => constants.push(value) - 1,
  });

  // ---- items ----
  const nodes: CompiledNode[] = [];
  const criteria: CompiledCriterion[] = [];
  const groupsPostOrder: CompiledGroup[] = [];
  const pointsOf = (item: ItemDef) => (typeof item?.points === 'number' ? item.points : 0);

  /** A condition of an item (§7.2–7.3): compiled in the scope of inputs, metrics, sources and peers. */
  const condition = (pointer: string, text: string | undefined, field: string) => {
    if (text === undefined) return {};
    const t = compileAt(`${pointer}/${field}`, text, 'boolean', inputScope, `“${field}” 条件`);
    return { fn: t?.fn, src: t?.src };
  };
  const vetoNodes: CompiledNode[] = [];
  let conditional = false;

  const visitItem = (item: ItemDef, pointer: string, depth: number, parent: number): number => {
    claimId(item.id, pointer);
    const index = nodes.length;
    const applies = condition(pointer, item.appliesIf, 'appliesIf');
    const zero = condition(pointer, item.zeroIf, 'zeroIf');
    const veto = condition(pointer, item.vetoIf, 'vetoIf');
    const conditions = {
      appliesIf: applies.fn, appliesIfSrc: applies.src, zeroIf: zero.fn, zeroIfSrc: zero.src,
      vetoIf: veto.fn, vetoIfSrc: veto.src, vetoTitle: item.vetoTitle ?? item.title,
    };
    if (item.appliesIf !== undefined) conditional = true;
    if (isGroup(item)) {
      if (item.zeroIf !== undefined || item.vetoIf !== undefined) conditional = true;
      const group: CompiledGroup = { kind: 'group', def: item, id: item.id, title: item.title, points: pointsOf(item), children: [], index, slot: -1, depth, parent, appliesSlot: -1, zeroSlot: -1, ...conditions };
      nodes.push(group);
      if (group.vetoIf) vetoNodes.push(group);
      item.items.forEach((child, k) => group.children.push(visitItem(child, `${pointer}/items/${k}`, depth + 1, index)));
      const sum = item.items.reduce((s, c) => s + pointsOf(c), 0);
      if (round9(sum) !== round9(group.points)) {
        problem('POINTS_MISMATCH', `${pointer}/points`, `“${item.title}” 分值为 ${group.points} 分，但其下各项合计 ${round9(sum)} 分`);
      }
      groupsPostOrder.push(group);
      return index;
    }
    const c = item as CriterionDef;
    const crit: CompiledCriterion = {
      kind: 'criterion', def: c, id: c.id, title: c.title, points: pointsOf(c), floor: typeof c.floor === 'number' ? Math.min(0, c.floor) : 0,
      mode: c.deduct ? 'deduct' : 'award', methods: [], ifUndefined: c.ifUndefined ?? 'full', index, slot: -1, depth, parent, ...conditions,
    };
    nodes.push(crit);
    criteria.push(crit);
    if (crit.vetoIf) vetoNodes.push(crit);
    const methodAt = (m: Method, at: string) => {
      // A method inside an item is not an adjustment: it has no id of its own (§7.1).
      if (Object.hasOwn(m, 'id')) problem('UNKNOWN_FIELD', `${at}/id`, '未知的字段 “id”（细项中的记分方法没有自己的编号）');
      crit.methods.push(compileMethod(m, at, crit.points, methodContext(at, m)));
    };
    if (c.award && typeof c.award === 'object') {
      const at = `${pointer}/award`;
      if (c.award.method === 'shortfall') {
        problem('METHOD_NOT_ALLOWED', `${at}/method`, 'shortfall（未达目标扣分）只能用在 deduct 中，不能用在 award 中');
      }
      methodAt(c.award, at);
    } else if (Array.isArray(c.deduct)) {
      c.deduct.forEach((m, k) => {
        if (m && typeof m === 'object') methodAt(m, `${pointer}/deduct/${k}`);
      });
    }
    crit.value = crit.methods.find((m) => m.value)?.value;
    return index;
  };

  const top = (Array.isArray(file.items) ? file.items : []).map((item, k) => visitItem(item, `/items/${k}`, 0, -1));
  const topSum = (file.items ?? []).reduce((s, item) => s + pointsOf(item), 0);
  if (typeof file.totalPoints === 'number' && round9(topSum) !== round9(file.totalPoints)) {
    problem('TOTAL_POINTS_MISMATCH', '/totalPoints', `总分 totalPoints 为 ${file.totalPoints}，但各大项合计 ${round9(topSum)} 分`);
  }
  const valueSlots = slot;
  for (const node of nodes) node.slot = slot++;
  const totalSlot = slot++, bonusSlot = slot++, penaltySlot = slot++, applicableSlot = slot++;
  if (conditional) for (const node of nodes) if (node.kind === 'group') { node.appliesSlot = slot++; node.zeroSlot = slot++; }

  // ---- bonus and penalty (加分项、扣分项) ----
  const adjustments = (key: 'bonus' | 'penalty'): CompiledAdjustments | undefined => {
    const block = file[key];
    if (!block || !Array.isArray(block.items)) return undefined;
    return {
      cap: block.cap,
      items: block.items.map((def: AdjustmentDef, k: number) => {
        const at = `/${key}/items/${k}`;
        claimId(def.id, at);
        if ((def.method === 'check' || def.method === 'ratio' || def.method === 'linear') && typeof def.points !== 'number') {
          problem('METHOD_POINTS_REQUIRED', at, `加减分项的 ${def.method} 方法须写明自己的 points`);
        }
        return { def, id: def.id, title: def.title, method: compileMethod(def, at, undefined, methodContext(at, def)) };
      }),
    };
  };
  const bonus = adjustments('bonus');
  const penalty = adjustments('penalty');

  // ---- checks and vetoes ----
  const checks: CompiledCheck[] = [];
  (file.checks ?? []).forEach((check, k) => {
    const at = `/checks/${k}/when`;
    const typed = compileAt(at, check.when, 'boolean', inputScope, '校验条件');
    let used: string[] = [];
    try { used = [...namesIn(parseExpression(check.when))]; } catch { /* reported above */ }
    let peersUsed = false;
    try { peersUsed = usesPeers(parseExpression(check.when), inputScope); } catch { /* reported above */ }
    if (typed) checks.push({ message: check.message, when: typed.fn, src: typed.src, names: used, pointer: at, peers: peersUsed });
  });

  // In unit-level vetoes and sanction conditions the scores are names too; inputs and metrics keep their meaning on a clash.
  for (const node of nodes) if (NAME.test(node.id) && !RESERVED.has(node.id)) scoreNames.set(node.id, { type: 'number', slot: node.slot });
  scoreNames.set('total', { type: 'number', slot: totalSlot });
  scoreNames.set('bonus', { type: 'number', slot: bonusSlot });
  scoreNames.set('penalty', { type: 'number', slot: penaltySlot });
  const vetoScope = scopeOf(scoreNames);
  const vetoes: CompiledVeto[] = [];
  (file.vetoes ?? []).forEach((veto, k) => {
    const at = `/vetoes/${k}`;
    claimId(veto.id, at);
    const t = compileAt(`${at}/when`, veto.when, 'boolean', vetoScope, '否决条件');
    if (t) vetoes.push({ id: veto.id, title: veto.title, when: t.fn, src: t.src });
  });

  // ---- ranking ----
  const r = file.ranking ?? {};
  const tieBreak: number[] = [];
  (r.tieBreak ?? []).forEach((id, k) => {
    const node = nodes.find((n) => n.id === id);
    if (!node) problem('TIEBREAK_UNKNOWN_ID', `/ranking/tieBreak/${k}`, `并列时比较的 “${id}” 不是任何大项或细项的编号`);
    else tieBreak.push(node.index);
  });
  // Sanctions (§5, §7.9): by place or by rank range, with a condition over the unit's scores and values.
  const sanctions: CompiledSanction[] = (r.sanctions ?? []).map((x, k) => {
    const at = `/ranking/sanctions/${k}`;
    if (x.rank && x.rank[0] > x.rank[1]) problem('SANCTION_RANK_RANGE', `${at}/rank`, `名次范围 ${x.rank[0]}～${x.rank[1]} 的起点大于终点`);
    const when = x.when === undefined ? undefined : compileAt(`${at}/when`, x.when, 'boolean', vetoScope, '奖惩条件');
    let totalOnly = false;
    try { totalOnly = when !== undefined && readsTotalAlone(parseExpression(x.when!)); } catch { /* reported above */ }
    return { outcome: x.outcome, label: x.label, place: x.place, rank: x.rank && [x.rank[0], x.rank[1]], when: when?.fn, whenTotalOnly: totalOnly, group: x.group };
  });

  if (problems.length) return { problems };
  // A peer's argument reads inputs, and metrics that read inputs (a metric names only those before it: no loop).
  const inputNames = new Set(inputs.map((i) => i.name));
  const inputsRead = (read: string[], seen = new Set<string>()): string[] => read.flatMap((n) => {
    if (seen.has(n)) return [];
    seen.add(n);
    return inputNames.has(n) ? [n] : inputsRead(metricReads.get(n) ?? [], seen);
  });
  for (const peer of peers) peer.reads = inputsRead(peer.reads);
  for (const input of inputs) if (input.link !== undefined && !named.has(input.name)) input.unread = true;
  return {
    problems,
    ruleset: {
      file,
      id: file.id,
      version: file.version,
      title: file.title,
      subject: file.subject ?? 'village',
      totalPoints: file.totalPoints,
      precision: file.precision ?? 1,
      inputs,
      metrics,
      nodes,
      criteria,
      groupsPostOrder,
      top,
      bonus,
      penalty,
      checks,
      vetoes,
      vetoNodes,
      sources,
      peers,
      peerCalls,
      conditional,
      applicableSlot,
      grades: file.grades ?? [],
      ranking: {
        scope: r.scope ?? 'parent',
        tieBreak,
        vetoedLast: r.vetoedLast ?? true,
        sanctions,
        liability: r.liability ?? [],
      },
      slotCount: slot,
      // A peer's value is given to the unit like an input, wherever its slot fell: then every slot is the unit's.
      valueSlots: peers.length ? slot : valueSlots,
      strings,
      constants,
      totalSlot,
      bonusSlot,
      penaltySlot,
    },
  };
}

/** Whether an expression reads no name but `total` and calls no peer function (whose value is a slot of its own). */
function readsTotalAlone(e: Expr): boolean {
  switch (e.kind) {
    case 'name': return e.name === 'total';
    case 'unary': return readsTotalAlone(e.operand);
    case 'binary': return readsTotalAlone(e.left) && readsTotalAlone(e.right);
    case 'call': return !PEER_FUNCTIONS.has(e.fn) && e.args.every(readsTotalAlone);
    default: return true;
  }
}
