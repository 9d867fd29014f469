import { expect } from 'chai';
import { parseExpression } from '../../../src/engine/expression/parser.js';
import { conditionInWords, expressionInWords, type Namer } from '../../../src/engine/expression/words.js';

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
