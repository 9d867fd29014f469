import {
  appraise, DataInvalid, sourceResultsFromScoreJson, sourceResultsOf, type AppraiseOptions, type EventRow, type SourceResults,
} from '../engine/index.js';
import { dataFileBytes, readDataFile } from '../io/data-file.js';
import { readRuleFile } from '../io/rule-file.js';

/**
 * `--source fp=SOURCE` (and its older name `--link village=SOURCE`): where a source's results come
 * from (RULES.md §7.8). SOURCE is either the JSON of `appraisal score --format json`, or `RULES,DATA`
 * to score that assessment on the spot. `--events FILE`: the events of the period (§7.6), a CSV with
 * columns unit, input, level, points.
 */
export function loadSource(spec: string, option = '--source'): { name: string; results: SourceResults } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new DataInvalid([{ code: 'SOURCE_SYNTAX', message: `${option} 应写作 名称=结果文件 或 名称=规则文件,数据文件，而不是 “${spec}”`, file: spec, row: 1, column: '' }]);
  const name = spec.slice(0, eq), source = spec.slice(eq + 1);
  const comma = source.indexOf(',');
  if (comma > 0) {
    const rule = readRuleFile(source.slice(0, comma));
    return { name, results: sourceResultsOf(rule.ruleset, appraise(rule.ruleset, readDataFile(source.slice(comma + 1)))) };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(dataFileBytes(source).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    if (e instanceof DataInvalid) throw e;
    throw new DataInvalid([{ code: 'DATA_SYNTAX', message: `无法读取来源的结果：${(e as Error).message}`, file: source, row: 1, column: '' }]);
  }
  return { name, results: sourceResultsFromScoreJson(doc, source) };
}

/** The events of an events file, each with its row. */
export function readEventsFile(file: string): EventRow[] {
  return readDataFile(file).rows.map(({ row, cells }) => ({ ...cells, row, unit: String(cells.unit ?? ''), input: String(cells.input ?? '') }));
}

/** What `score` was given beside the data: its sources and its events. */
export function scoreOptions(sources: string[], events: string | undefined): AppraiseOptions {
  const given = new Map<string, SourceResults>();
  for (const spec of sources) {
    const { name, results } = loadSource(spec);
    given.set(name, results);
  }
  return { sources: given, ...(events ? { events: readEventsFile(events), eventsFile: events } : {}) };
}
