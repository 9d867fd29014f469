import type { CompiledInput, CompiledRuleSet } from './compiled.js';
import { parseCell } from './units.js';
import type { DataProblem } from './problems.js';

/**
 * Some of a unit's inputs checked on their own (a village's report of its own figures, RULES.md §7.11):
 * each given cell parsed against its input's type and limits as a row's cells are, and every check
 * of the rule set that reads only given inputs run over them. A check that also reads an input not
 * given (a figure the township enters) or a peer function is left for when the unit is scored.
 */

export interface GivenInputs {
  /** The typed value of each given input that parses (RULES.md §3: booleans 1/0, grades by their text's id). */
  values: Map<string, number>;
  /** Each problem at its input's name (column); a failed check at the inputs it reads, joined by 、. */
  problems: DataProblem[];
}

export function checkGivenInputs(rs: CompiledRuleSet, cells: Record<string, unknown>, file: string, row = 2): GivenInputs {
  const given = rs.inputs.filter((i): i is CompiledInput => Object.hasOwn(cells, i.name) && !i.link && i.type !== 'events');
  const values = new Map<string, number>();
  const problems: DataProblem[] = [];
  const env = new Float64Array(rs.valueSlots).fill(NaN);
  for (const input of given) {
    const parsed = parseCell(input, cells[input.name], rs.strings);
    if (parsed.ok) { values.set(input.name, parsed.value); env[input.slot] = parsed.value; }
    else problems.push({ code: parsed.code, message: parsed.message, file, row, column: input.name });
  }
  const inputNames = new Set(rs.inputs.map((i) => i.name));
  for (const check of rs.checks) {
    // Only a check over inputs that are all given and parsed: a metric or an input not given leaves it for the scoring.
    if (check.peers || !check.names.every((n) => inputNames.has(n) && values.has(n))) continue;
    if (check.when(env) !== 1) problems.push({ code: 'CHECK_FAILED', message: `校验未通过：${check.message}`, file, row, column: check.names.join('、') });
  }
  return { values, problems };
}
