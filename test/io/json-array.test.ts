import { expect } from 'chai';
import { jsonArrayParts } from '../../src/io/json-array.js';

/** A snapshot's units are parsed a part at a time from its bytes, never decoded as one string. */
describe('a JSON array parsed a part at a time', () => {
  const parts = (text: string, perPart?: number) => [...jsonArrayParts(Buffer.from(text, 'utf8'), perPart)];
  const items = (text: string, perPart?: number) => parts(text, perPart).flat();

  const awkward = [
    { id: 'v1', name: '第一村, "东"', parent: null, inputs: { note: 'a],[b}{c', path: 'C:\\数据\\', quote: '\\"', n: 1.5 } },
    { id: 'v2', name: null, parent: 't1', inputs: { list: [1, [2, { x: '}' }]], empty: {}, none: [], text: '逗号，和 , 以及 \\\\' } },
    { id: 'v3', name: '😀 ä', parent: 't1', inputs: { flag: true, off: false, nothing: null, big: -1e21 } },
    'a string item, with a comma', 42, [3, 4], {},
  ];

  it('gives the items JSON.parse gives, whatever the strings and nesting hold, at every part size', () => {
    for (const text of [JSON.stringify(awkward), JSON.stringify(awkward, null, 2), ` \n\t${JSON.stringify(awkward)}\r\n `]) {
      for (const perPart of [1, 2, 3, 7, 100]) expect(items(text, perPart), `${perPart} a part`).to.deep.equal(JSON.parse(text));
    }
  });

  it('gives parts of the size asked for, the last with what is left', () => {
    const text = JSON.stringify(Array.from({ length: 10 }, (_, k) => ({ k })));
    expect(parts(text, 4).map((p) => p.length)).to.deep.equal([4, 4, 2]);
    expect(parts(text, 5).map((p) => p.length)).to.deep.equal([5, 5]);
    expect(parts('[]', 5)).to.deep.equal([[]]);
  });

  it('refuses what is not one whole JSON array, saying what is wrong', () => {
    const refused = (text: string) => { try { items(text); } catch (e) { return e as Error; } return undefined; };
    expect(refused('{"a":1}')?.message).to.match(/应以 “\[” 开头/);
    expect(refused('[1,2')?.message).to.match(/没有结束/);
    expect(refused('[1,"2]')?.message).to.match(/没有结束/);
    expect(refused('[1,2] x')?.message).to.match(/结束后还有内容/);
    expect(refused('[1}')?.message).to.match(/多余的 “}”/);
    expect(refused('[1,]')).to.be.instanceOf(SyntaxError);
    expect(refused('[,1]')).to.be.instanceOf(SyntaxError);
    expect(refused('[1 2]')).to.be.instanceOf(SyntaxError);
  });
});
