import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { appraise, loadRuleSet, metricValues, scoreAgainInto, unitJson, type AppraiseOptions, type CompiledRuleSet, type DataTable, type EventRow } from '../../src/engine/index.js';
import { parseJsonData, readDataFile } from '../../src/io/data-file.js';
import { readRuleFile, ruleSchema } from '../../src/io/rule-file.js';
import { DEMO_DIR, RULES_DIR } from '../../src/paths.js';
import { fromRow, ResultsDigest, storedForms, unitLine } from '../../src/services/stored-results.js';
import { compile, FIXTURES, fixtureOptions, readJson, ruleSet } from '../helpers.js';

/**
 * A run writes each result's row and seal line straight from its scores (storedForms):
 * the line must be the very text the §6 object gives (unitLine), or a stored run would not
 * verify against its seal, and the row must read back (fromRow) as that object.
 */
describe('the stored form of a result', () => {
  function expectSameForms(rs: CompiledRuleSet, table: DataTable, options: AppraiseOptions = {}): number {
    const ranked = appraise(rs, table, options).units;
    // As a run writes them: every unit scored again into the same two scratch arrays.
    const scratch = new Float64Array(rs.slotCount), scores = new Float64Array(rs.nodes.length);
    ranked.forEach((u, position) => {
      const env = u.unit.env;
      const cells = table.rows[u.unit.row - 2].cells;
      const again = storedForms(rs, 7, position, u, { scores, ...scoreAgainInto(rs, u.unit, scratch, scores) }, scratch, cells);
      const fast = storedForms(rs, 7, position, u, u, env, cells);
      expect(again, u.unit.id).to.deep.equal(fast);
      const json = unitJson(rs, u, env);
      expect(fast.line, u.unit.id).to.equal(unitLine(json));
      const inputs = Object.fromEntries(rs.inputs.map((i) => [i.name, (Object.hasOwn(cells, i.name) ? cells[i.name] : null) ?? null]));
      expect(fromRow(rs, fast.row), u.unit.id).to.deep.equal({ ...json, metrics: metricValues(rs, env), inputs });
      expect(fast.row).to.include({ run_id: 7, position, unit_id: u.unit.id });
    });
    return ranked.length;
  }

  const dir = path.join(FIXTURES, 'rulesets');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const fx = readJson<{ rules: unknown; data?: unknown[]; expected?: { units?: unknown[] }; events?: EventRow[]; sources?: Record<string, unknown> }>(path.join(dir, f));
    if (!fx.data || !fx.expected?.units) continue;
    it(`is the §6 object's line, and reads back as that object, for ${f}`, () => {
      const rs = loadRuleSet(JSON.stringify(fx.rules), f, ruleSchema()).ruleset;
      expectSameForms(rs, parseJsonData(JSON.stringify(fx.data), f), fixtureOptions(fx));
    });
  }

  it('is the same text for the demo township, whose ids and names are Chinese', () => {
    const rs = readRuleFile(path.join(RULES_DIR, 'village-annual.json')).ruleset;
    expect(expectSameForms(rs, readDataFile(path.join(DEMO_DIR, 'villages-2023.csv')))).to.be.greaterThan(10);
  });

  it('writes a group whose sum passes what a double holds as null, as the §6 object does, and reads it back (found by an outside attack)', () => {
    const rs = compile(ruleSet({
      inputs: { x: { type: 'number' } },
      items: [{
        id: 'g', title: '甲', points: 100, items: [
          { id: 'a', title: 'A', points: 50, floor: -1e308, deduct: [{ method: 'per', count: 'x', points: 1e307 }] },
          { id: 'b', title: 'B', points: 50, floor: -1e308, deduct: [{ method: 'per', count: 'x', points: 1e307 }] },
        ],
      }],
    }));
    const table = parseJsonData(JSON.stringify([{ id: 'v1', name: '甲村', parent: 't', x: 20 }]), 'd.json');
    const [u] = appraise(rs, table).units;
    expect(u.scores[0]).to.equal(-Infinity);
    const { row, line } = storedForms(rs, 7, 0, u, u, u.unit.env, table.rows[0].cells);
    expect(line).to.equal(unitLine(unitJson(rs, u, u.unit.env)));
    expect(JSON.parse(line).scores).to.deep.equal({ g: null, a: -1e308, b: -1e308 });
    expect(fromRow(rs, row).scores).to.deep.equal({ g: null, a: -1e308, b: -1e308 });
  });

  it('writes the keys of the scores in the order JSON gives an object, integer-like ids first', () => {
    const rs = compile(ruleSet({
      inputs: { x: { type: 'number' } },
      items: [
        { id: 'b', title: 'B', points: 40, award: { method: 'manual', input: 'x' } },
        { id: '20', title: '二十', points: 30, award: { method: 'manual', input: 'x' } },
        { id: '3', title: '三', points: 30, award: { method: 'manual', input: 'x' } },
      ],
    }));
    const table = parseJsonData(JSON.stringify([{ id: 'u1', x: 12.5 }, { id: 'u2', x: 3 }]), 'order.json');
    expect(expectSameForms(rs, table)).to.equal(2);
    const [u] = appraise(rs, table).units;
    const line = storedForms(rs, 1, 0, u, u, u.unit.env, table.rows[0].cells).line;
    expect(line).to.contain('"scores":{"3":12.5,"20":12.5,"b":12.5}');
  });
});

describe('the seal of a run', () => {
  it('is the sha256 of its lines in order and then its parents, whatever the lines hold and however long', () => {
    const lines = [
      ...Array.from({ length: 3000 }, (_, k) => `{"id":"v${k}","name":"第${k}村 😀","total":${k / 7}}\n`),
      `${'长'.repeat(30000)}\n`, '', 'ascii only\n', `${'x'.repeat(70000)}\n`, '末行\n',
    ];
    const parents = [{ id: 't1', sanctions: [{ outcome: 'criticism', label: '通报批评' }] }] as never;
    const digest = new ResultsDigest();
    for (const line of lines) digest.addLine(line);
    expect(digest.finish(parents)).to.equal(createHash('sha256').update(lines.join('') + JSON.stringify(parents)).digest('hex'));
  });
});
