import { expect } from 'chai';
import { parseExpression } from '../../../src/engine/expression/parser.js';
import { conditionInWords, expressionInWords, negated, valueInWords, type CallExpr, type Namer } from '../../../src/engine/expression/words.js';

const namer: Namer = (name) => (name === 'x' ? { label: '甲数', unit: '人', type: 'number' } : undefined) as ReturnType<Namer>;

describe('an expression in words', () => {
  it('writes a comparison with the label, the unit and a Chinese sign', () => {
    expect(expressionInWords(parseExpression('x >= 3'), namer)).to.equal('甲数 ≥ 3人');
  });

  it('renders each argument of a call once: abs and round nested 45 deep read in one pass (they doubled at every level)', () => {
    const deep = (fn: (inner: string) => string) => { let s = 'x'; for (let k = 0; k < 45; k++) s = fn(s); return s; };
    const abs = expressionInWords(parseExpression(deep((s) => `abs(${s})`)), namer);
    expect(abs.match(/的绝对值/g)).to.have.length(45);
    const round = expressionInWords(parseExpression(deep((s) => `round(${s}, 1)`)), namer);
    expect(round.match(/保留1位小数/g)).to.have.length(45);
    const held = conditionInWords(parseExpression(`${deep((s) => `abs(${s})`)} > 0`), namer, () => 5);
    expect(held.holds).to.equal(true);
  });
});

describe('the functions of version 2 in words (issue 20, point 5)', () => {
  const names: Record<string, ReturnType<Namer>> = {
    x: { label: '隐患整改率', unit: '%', type: 'number' },
    n: { label: '事故起数', unit: '起', type: 'number' },
    E: { label: '安全生产事故', unit: '起', type: 'number', measure: '起' },
    fpTotal: { label: '计划生育专项考核总分', unit: '分', type: 'number', weighted: true },
    farm: { label: '是否农场', type: 'boolean' },
    fpVetoed: { label: '计划生育专项考核是否被一票否决', type: 'boolean' },
  };
  const named: Namer = (name) => names[name];
  const say = (src: string, prose = false) => expressionInWords(parseExpression(src), named, { scope: '全乡', prose });
  const table: Array<[string, string]> = [
    ['peerRank(x)', '隐患整改率在全乡的名次'],
    ['peerRank(-n)', '事故起数在全乡由低到高的名次'],
    ['peerMax(x)', '全乡隐患整改率最高值'],
    ['peerMin(x)', '全乡隐患整改率最低值'],
    ['peerAvg(x)', '全乡隐患整改率平均水平'],
    ['peerSum(n)', '全乡事故起数合计'],
    ['peerCount(x)', '全乡隐患整改率有数据的单位数'],
    ['peerMax(x / 2)', '全乡“隐患整改率÷2”最高值'],
    ['x / peerMax(x)', '隐患整改率÷全乡最高值'],
    ['x >= peerAvg(x)', '隐患整改率 ≥ 全乡平均水平'],
    ['count(E)', '安全生产事故起数'],
    ['count(E, "较大")', '较大安全生产事故起数'],
    ['count(E, "较大事故")', '较大事故起数'],
    ['sum(E)', '安全生产事故累计分值'],
    ['count(E, "重大") > 0', '有重大安全生产事故'],
    ['count(E) == 0', '无安全生产事故'],
    ['count(E) >= 3', '安全生产事故起数 ≥ 3起'],
    ['peerRank(x) <= 3', '隐患整改率在全乡的名次 ≤ 3名'],
    ['fpTotal * 0.4 + 10', '计划生育专项考核总分×40%+10'],
    ['x * 0.4', '隐患整改率×0.4'],
    ['farm', '“是否农场”为是'],
    ['not farm', '“是否农场”为否'],
    ['fpVetoed', '“计划生育专项考核是否被一票否决”为是'],
  ];
  for (const [src, words] of table) it(`reads ${src} as 「${words}」`, () => expect(say(src)).to.equal(words));

  it('says comparisons in words where a sentence wants them (总分不低于90分)', () => {
    expect(say('fpTotal >= 90', true)).to.equal('计划生育专项考核总分不低于90分');
    expect(say('x < 60 or n != 0', true)).to.equal('隐患整改率低于60% 或 事故起数不为0起');
  });

  it('turns a condition round for what an item does not apply to', () => {
    const not = (src: string) => expressionInWords(negated(parseExpression(src)), named, { scope: '全乡' });
    expect(not('not farm')).to.equal('“是否农场”为是');
    expect(not('x >= 60 and not farm')).to.equal('隐患整改率 < 60% 或 “是否农场”为是');
  });

  it('gives a unit’s values of the calls the engine worked out, found by the call', () => {
    const values: Record<string, number> = { x: 92, n: 2, fpTotal: 96.5 };
    const calls = (e: CallExpr) => (e.fn === 'peerAvg' ? 85.25 : e.fn === 'peerRank' ? 3 : e.fn === 'count' ? (e.args[1] ? 1 : 4) : e.fn === 'sum' ? 29 : NaN);
    const facts = (src: string) => conditionInWords(parseExpression(src), named, (name) => values[name] ?? NaN, 2, { scope: '全乡', call: calls });
    expect(facts('x >= peerAvg(x)')).to.deep.equal({ holds: true, text: '隐患整改率92% ≥ 全乡平均水平85.25%' });
    expect(facts('peerRank(x) <= 2')).to.deep.equal({ holds: false, text: '隐患整改率在全乡排第3名 > 2名' });
    expect(facts('count(E, "较大") > 0 and sum(E) > 30')).to.deep.equal({ holds: false, text: '安全生产事故累计分值29分 ≤ 30分' });
    expect(facts('count(E) >= 4').text).to.equal('安全生产事故4起 ≥ 4起');
    expect(facts('peerMax(x) > 0')).to.deep.equal({ holds: false, text: '全乡隐患整改率最高值无法计算' });
    const formula = valueInWords(parseExpression('fpTotal * 0.4 + sum(E)'), named, (name) => values[name] ?? NaN, 2, { scope: '全乡', call: calls });
    expect(formula).to.deep.equal({ value: 96.5 * 0.4 + 29, text: '计划生育专项考核总分96.5分×40%+安全生产事故累计分值29分' });
  });
});
