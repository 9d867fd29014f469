import { readFileSync } from 'node:fs';
import { appraise, DataInvalid, linkedResultsFromScoreJson, linkedResultsOf, linkTable, type CompiledRuleSet, type DataTable, type LinkedResult } from '../engine/index.js';
import { readDataFile } from '../io/data-file.js';
import { readRuleFile } from '../io/rule-file.js';

/**
 * `--link village=SOURCE`: where the linked track's results come from. SOURCE is either
 * the JSON of `appraisal score --format json` (RULES.md §6), or `RULES,DATA` to score the
 * linked track on the spot (which also gives its metrics).
 */
export function loadLink(spec: string): { name: string; source: string; results: Map<string, LinkedResult> } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new DataInvalid([{ code: 'LINK_SYNTAX', message: `--link 应写作 名称=结果文件 或 名称=规则文件,数据文件，而不是 “${spec}”`, file: spec, row: 1, column: '' }]);
  const name = spec.slice(0, eq), source = spec.slice(eq + 1);
  const comma = source.indexOf(',');
  if (comma > 0) {
    const rule = readRuleFile(source.slice(0, comma));
    return { name, source, results: linkedResultsOf(rule.ruleset, appraise(rule.ruleset, readDataFile(source.slice(comma + 1)))) };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(source, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DataInvalid([{ code: 'DATA_SYNTAX', message: `无法读取关联结果：${(e as Error).message}`, file: source, row: 1, column: '' }]);
  }
  return { name, source, results: linkedResultsFromScoreJson(doc, source) };
}

export function applyLinks(rs: CompiledRuleSet, table: DataTable, specs: string[]): DataTable {
  return specs.reduce((t, spec) => {
    const link = loadLink(spec);
    return linkTable(rs, t, link.name, link.results, link.source);
  }, table);
}
