import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readRuleFile } from '../../src/io/rule-file.js';
import { ROOT } from '../../src/paths.js';
import { chineseNumeral, documentLines, hasOwnNumber, ruleDocument, type DocBlock } from '../../src/report/rule-document.js';
import { explainCriterion, explainVeto, scoreJson } from '../../src/engine/index.js';
import { sanctionPhrase, sanctionReasons } from '../../src/report/sanction-reason.js';
import { compile, ruleSet } from '../helpers.js';
import { v2Appraisal, v2RuleSet } from '../support/words-v2.js';

const headings = (blocks: DocBlock[]): string[] => blocks.flatMap((b) => [b.heading, ...headings(b.children)]);

describe('the printed 考核细则 generated from a rule set', () => {
  const village = readRuleFile(path.join(ROOT, 'rules', 'village-annual.json')).ruleset;
  const doc = ruleDocument(village);
  const lines = documentLines(doc).map((l) => l.trim());

  it('numbers the shipped titles once, since they carry their own 一、（一）1.', () => {
    const all = headings(doc.blocks);
    expect(all).to.include.members(['一、人口和计划生育工作指标（500分）', '（一）人口计划（200分）', '1.人口出生率控制在8‰以下（60分）']);
    for (const h of all) expect(h, h).not.to.match(/^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)/);
  });

  it('numbers a title that has no number of its own by its depth', () => {
    expect(headings(doc.blocks)).to.include('1.社会抚养费征收到位率达70%以上（20分）');
  });

  it('words a shortfall clause with its target, its per-step deduction and how a started step counts', () => {
    expect(lines).to.include('人口出生率控制在8‰及以下的得60分，每超过0.5个千分点扣5分，不足0.5个千分点的按0.5个千分点计，扣完为止。');
    expect(lines).to.include('出生统计准确率达到98%及以上的得40分，每下降1个百分点扣2分，不足1个百分点的按1个百分点计，扣完为止。');
  });

  it('states the veto conditions, the grade of a vetoed village and the ranking sanctions', () => {
    expect(lines).to.include('其中政策外多孩数 > 0人的，实行一票否决。');
    expect(lines).to.include('有政策外生育的村实行一票否决（政策外出生数 > 0人）。');
    expect(lines).to.include('凡被一票否决的村一律定为不合格（一票否决）。');
    expect(lines).to.include('排名第一名的村，表彰。');
    expect(lines).to.include('排名最后一名的村，一票否决。');
    expect(lines).to.include('排名倒数第二名的村，通报批评。');
    expect(lines).to.include('所辖村因否决情形被一票否决的，所属单位负连带责任，给予通报批评、黄牌警告。');
  });

  it('gives the bonus and penalty sections with their caps after the items', () => {
    const sections = doc.blocks.map((b) => b.heading);
    expect(sections.slice(3, 5)).to.deep.equal(['四、加分项目（加分合计不超过50分）', '五、扣分项目（扣分合计不超过100分）']);
    expect(lines).to.include('工作经验被县级以上推广次数每次加10分。');
  });

  it('names inputs and metrics by their labels, never by their names', () => {
    expect(lines.join('\n')).not.to.match(/birthRate|outOfPolicy|teamGrade|hasBoard/);
    expect(lines).to.include('由考核组评定“队伍建设评定”：好得40分，中得25分，差得10分。');
    expect(lines).to.include('台帐与微机数据不符处数在2处以内的不扣分，超过的每处扣2分，最多扣30分，扣完为止。');
  });

  it('writes every condition and formula in words: labels, ≥ ≤ < > = ≠, 且 或 非, functions in Chinese, no raw expression (issue 18, item 6)', () => {
    expect(lines).to.include('已签订计生合同数 ≥ 流出已婚育龄妇女数的，得20分，否则不得分。');
    expect(lines).to.include('出生统计准确率（%）＝（出生人数−抽查发现出生漏报数）÷出生人数×100。');
    expect(lines).to.include('队伍配备缺项数（项）＝（配备村计生专干时取0，否则取1）+（组宣管员配齐时取0，否则取1）+（中心户长配齐时取0，否则取1）+（信息员配齐时取0，否则取1）。');
    const rs = compile(ruleSet({
      totalPoints: 10,
      inputs: { a: { label: '甲数', type: 'number', unit: '人' }, b: { label: '乙数', type: 'number' }, ok: { label: '建档', type: 'boolean' } },
      metrics: { m: { label: '较大者', expr: 'max(a, b) - min(a, abs(b)) / round(b, 1)' } },
      items: [{ id: 'x', title: '甲项', points: 10, award: { method: 'check', test: '(a >= 1 or b != 2) and not (ok and a <= b)' }, zeroIf: 'not ok or a == 3 and b < 1' }],
    }));
    const text = documentLines(ruleDocument(rs)).join('\n');
    expect(text).to.contain('（甲数 ≥ 1人 或 乙数 ≠ 2） 且 非（建档 且 甲数 ≤ 乙数）的，得10分');
    expect(text).to.contain('“建档”为否 或 甲数 = 3人 且 乙数 < 1的，本项不记分');
    expect(text).to.contain('较大者＝（甲数、乙数中的较大者）−（甲数、乙数的绝对值中的较小者）÷（乙数保留1位小数）');
    expect(text).not.to.match(/>=|<=|==|!=|&&|\|\||\b(?:and|or|not|min|max|abs|round|if)\b/);
  });

  it('words a negative amount by the opposite verb: 每人加1分, never 扣-1分 (issue 18, item 6)', () => {
    const rs = compile(ruleSet({
      totalPoints: 20, inputs: { v: { label: '志愿者人数', type: 'integer', min: 0, unit: '人' } },
      items: [{ id: 'a', title: '志愿服务', points: 20, deduct: [{ method: 'per', count: 'v', points: -1 }, { method: 'fixed', points: 5 }] }],
    }));
    const text = documentLines(ruleDocument(rs)).join('\n');
    expect(text).to.contain('志愿者人数每人加1分；扣5分');
    expect(text).not.to.match(/扣-|−-/);
  });

  it('numbers by depth 一、（一）1.（1）and words every method', () => {
    const rs = compile(ruleSet({
      totalPoints: 100,
      inputs: {
        n: { label: '完成数', type: 'integer', min: 0, unit: '件' },
        g: { label: '工作评定', type: 'grade', grades: ['好', '中', '差'] },
        s: { label: '酌情分', type: 'number', min: 0, max: 10 },
        ok: { label: '建立台帐', type: 'boolean' },
      },
      metrics: { r: { label: '完成率', unit: '%', expr: 'n / 10 * 100' } },
      items: [{
        id: 'a', title: '甲项', points: 100, items: [{
          id: 'b', title: '乙项', points: 100, items: [
            { id: 'c', title: '丙项', points: 40, items: [
              { id: 'd', title: '丁项', points: 20, award: { method: 'bands', value: 'r', bands: [{ atLeast: 90, points: 20 }, { atLeast: 60, points: 10 }] } },
              { id: 'e', title: '戊项', points: 20, award: { method: 'ratio', value: 'n / 10' } },
            ] },
            { id: 'f', title: '己项', points: 20, award: { method: 'grade', input: 'g', points: { 好: 20, 中: 10, 差: 0 } } },
            { id: 'h', title: '庚项', points: 10, award: { method: 'manual', input: 's' } },
            { id: 'i', title: '辛项', points: 10, deduct: [{ method: 'check', test: 'not ok', points: 10, when: 'n > 0' }, { method: 'per', count: 'n', points: 1, max: 5 }], zeroIf: 'n == 0' },
            { id: 'j', title: '壬项', points: 20, award: { method: 'linear', value: 'r', zeroAt: 50, fullAt: 100 } },
          ],
        }],
      }],
      bonus: { cap: 5, items: [{ id: 'k', title: '加分', method: 'per', count: 'n', per: 2, points: 1 }] },
    }));
    const d = ruleDocument(rs);
    expect(headings(d.blocks).slice(0, 4)).to.deep.equal(['一、甲项（100分）', '（一）乙项（100分）', '1.丙项（40分）', '（1）丁项（20分）']);
    const text = documentLines(d).map((l) => l.trim());
    expect(text).to.include('完成率90%及以上的得20分；60%及以上的得10分；其余的不得分。');
    expect(text).to.include('按比例记分：得分＝20分×完成数÷10，最多得20分。');
    expect(text).to.include('由考核组评定“工作评定”：好得20分，中得10分，差得0分。');
    expect(text).to.include('由考核组酌情记分（记入“酌情分”），最多得10分。');
    expect(text).to.include('完成数 > 0件时，“建立台帐”为否的，扣10分；完成数每件扣1分，最多扣5分，扣完为止。');
    expect(text).to.include('完成数 = 0件的，本项不记分。');
    expect(text).to.include('完成率达到100%及以上的得20分，50%及以下的不得分，其间按比例记分。');
    expect(text).to.include('完成数每2件加1分。');
    expect(d.blocks.map((b) => b.heading)).to.include('二、加分项目（加分合计不超过5分）');
    expect(text.join('\n'), 'no veto, no grades: no such sections').not.to.match(/一票否决|考核等次/);
  });

  it('writes Chinese numerals and recognises a title’s own numbering', () => {
    expect([1, 10, 11, 20, 21, 99, 101].map(chineseNumeral)).to.deep.equal(['一', '十', '十一', '二十', '二十一', '九十九', '一百零一']);
    expect(['一、总则', '（二）统计', '(3) 其他', '4.出勤', '5、学习'].every(hasOwnNumber)).to.equal(true);
    expect(['1.5倍以上的加分', '人口计划', '十分重要'].some(hasOwnNumber)).to.equal(false);
  });

  describe('from a rule file that passes every check, however it names things (issue 17)', () => {
    const textOf = (file: Record<string, unknown>) => documentLines(ruleDocument(compile(file))).join('\n');

    it('words an input named toString by its label, never as JavaScript', () => {
      const text = textOf(ruleSet({
        totalPoints: 10, inputs: { toString: { label: '对象数', type: 'number' } },
        items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'fixed', points: 10 }, zeroIf: 'toString > 5' }],
      }));
      expect(text).to.contain('对象数 > 5的，本项不记分');
      expect(text).not.to.match(/function|native code|\[object/);
    });

    for (const subject of ['constructor', '__proto__', 'toString']) {
      it(`calls the units of a subject named ${subject} 单位`, () => {
        const text = textOf(ruleSet({
          subject, totalPoints: 10, items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'fixed', points: 10 } }],
          vetoes: [{ id: 'v', title: '否决', when: 'total < 1' }],
          ranking: { sanctions: [{ place: -1, outcome: 'veto', label: '一票否决' }] },
        }));
        expect(text).to.contain('排名最后一名的单位');
        expect(text).not.to.match(/function|native code|\[object/);
      });
    }

    it('words a grade the points leave out, named toString, as 0 分, the points the engine gives it', () => {
      const text = textOf(ruleSet({
        totalPoints: 40, inputs: { q: { label: '评定', type: 'grade', grades: ['好', '差', 'toString'] } },
        items: [{ id: 'a', title: '甲项', points: 40, award: { method: 'grade', input: 'q', points: { 好: 40, 差: 10 } } }],
      }));
      expect(text).to.contain('好得40分，差得10分');
      expect(text).not.to.match(/function|native code|undefined/);
    });

    it('numbers a thousand items and more in Chinese', () => {
      expect([1000, 1001, 1010, 1011, 1100, 1234, 9999].map(chineseNumeral)).to.deep.equal(['一千', '一千零一', '一千零一十', '一千零一十一', '一千一百', '一千二百三十四', '九千九百九十九']);
      const items = Array.from({ length: 1001 }, (_, k) => ({ id: `c${k}`, title: '考核项', points: 1, award: { method: 'fixed', points: 1 } }));
      const text = textOf(ruleSet({ totalPoints: 1001, items }));
      expect(text).to.contain('一千零一、考核项');
      expect(text).not.to.contain('undefined');
    });
  });
});

describe('the printed 细则 of a version-2 rule set, as a township writes it (issue 20, point 5)', () => {
  const rs = v2RuleSet();
  const lines = documentLines(ruleDocument(rs)).map((l) => l.trim());
  const table: Array<[string, string]> = [
    ['points by place among the peers, a run of single places in one sentence', '按隐患整改率在全乡排名，第1至5名依次得60、57、54、51、48分，其余的得40分。'],
    ['events by level and by a range of points, on an item that may go below zero', '每发生一起一般安全生产事故扣5分、较大安全生产事故扣10分、重大安全生产事故扣30分，其他安全生产事故每起扣2至5分（由考核组按情节认定），本项可倒扣，最低−10分。'],
    ['events by a range of points alone', '督查发现问题每个扣1至3分（由考核组按情节认定），扣完为止。'],
    ['a veto on a count of events, under its own title', '有重大安全生产事故的，实行一票否决（发生重大安全生产事故）。'],
    ['a part that does not apply, turned round from its condition', '“是否农场”为是的，本部分不适用，按其余项目得分率折算。'],
    ['the scaling of the applicable points, before the items', '有不适用项目的，以适用项目的得分按其分值折算为300分。'],
    ['a share of the best unit', '按灌溉面积达标率与全乡最高值的比例得分：得分＝50分×灌溉面积达标率÷全乡最高值，最多得50分。'],
    ['a part zeroed by its condition', '村党组织软弱涣散的，本部分不得分。'],
    ['a part’s veto under its own title', '越级上访 > 5件的，实行一票否决（越级上访多发）。'],
    ['a comparison with the average of the peers', '隐患整改率 ≥ 全乡平均水平的，得20分，否则不得分。'],
    ['a composite of other assessments, their weights as shares', '得分＝计划生育专项考核总分×40%+党建专项考核总分×60%。'],
    ['the 一票否决 section under each veto’s own title, a part’s among them', '越级上访多发（越级上访 > 5件），实行一票否决。'],
    ['an item’s veto there under its own title too', '发生重大安全生产事故（有重大安全生产事故），实行一票否决。'],
    ['a prize by rank range with a minimum score', '排名前二名且总分不低于250分的村，评为一等奖。'],
    ['prizes of one group, one to a village', '一等奖、二等奖不重复评定，每个村只评其中一项，按上列顺序先评。'],
    ['where a source’s figures come from', '“计划生育专项考核”的得分、名次等，取本期该项考核中本单位的结果。'],
  ];
  for (const [what, line] of table) it(`says ${what}: 「${line}」`, () => expect(lines).to.include(line));

  it('does not say a liability twice when its label names it (负有连带责任，通报批评)', () => {
    const text = documentLines(ruleDocument(compile(ruleSet({
      totalPoints: 10, items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'fixed', points: 10 } }],
      ranking: { liability: [{ when: 'childVetoed', outcome: 'criticism', label: '负有连带责任，通报批评' }] },
    })))).join('\n');
    expect(text).to.contain('所辖村因否决情形被一票否决的，所属单位负有连带责任，通报批评。');
  });

  it('says the places of bands that are ranges of places, and a rank counted from the lowest', () => {
    const doc = (bands: unknown[], value = 'peerRank(x)') => documentLines(ruleDocument(compile(ruleSet({
      totalPoints: 10, inputs: { x: { label: '事故起数', type: 'integer', min: 0, unit: '起' } },
      items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'bands', value, bands } }],
    })))).map((l) => l.trim());
    expect(doc([{ atMost: 1, points: 10 }, { atMost: 3, points: 8 }, { below: 7, points: 5 }])).to.include('按事故起数在全乡排名，第1名得10分，第2至3名得8分，第4至6名得5分，其余的不得分。');
    expect(doc([{ atMost: 2, points: 10 }, { points: 0 }], 'peerRank(-x)')).to.include('按事故起数在全乡由低到高排名，第1至2名得10分，其余的不得分。');
    // Bands that are not places counted from the first are said as bounds.
    expect(doc([{ atLeast: 3, points: 10 }])).to.include('事故起数在全乡的名次3名及以上的得10分；其余的不得分。');
  });
});

describe('no raw expression, name or English in the printed 细则 or any reason of a version-2 rule set (issue 20, point 5)', () => {
  // 按规定计算的… is how a function the words do not know is said: none of the language's may read so.
  const RAW = /[A-Za-z_]|peer|count\(|sum\(|null|NaN|undefined|>=|<=|==|!=|按规定计算/;
  const rs = v2RuleSet();

  it('prints every line of the 细则 in words', () => {
    for (const line of documentLines(ruleDocument(rs))) expect(line, line).not.to.match(RAW);
  });

  it('prints every shipped rule set in words, the version-2 ones among them', () => {
    const files = readdirSync(path.join(ROOT, 'rules')).filter((f) => f.endsWith('.json'));
    expect(files).to.include('village-annual.json');
    for (const file of files) {
      for (const line of documentLines(ruleDocument(readRuleFile(path.join(ROOT, 'rules', file)).ruleset))) expect(line, `${file}: ${line}`).not.to.match(RAW);
    }
  });

  it('writes every reason of every village in words, and every sanction’s reason', () => {
    const ranking = v2Appraisal(rs);
    let reasons = 0;
    for (const u of ranking.units) {
      const env = u.unit.env;
      for (const c of rs.criteria) { expect(explainCriterion(rs, c, env, u.scores[c.index]), `${u.unit.id} ${c.id}`).not.to.match(RAW); reasons++; }
      for (const v of rs.vetoes) expect(explainVeto(rs, v.id, env), `${u.unit.id} ${v.id}`).not.to.match(RAW);
    }
    expect(reasons).to.equal(ranking.units.length * rs.criteria.length);
    const json = scoreJson(rs, '0'.repeat(64), ranking);
    const sanctions = [...sanctionReasons(rs, json.units).values()].flat();
    expect(sanctions.length).to.be.greaterThan(2);
    for (const s of sanctions) expect(sanctionPhrase(s)).not.to.match(RAW);
  });
});
