/**
 * What goes wrong, said where it is. A rule-file problem names the file, the JSON
 * pointer and the line:column; a data problem names the row (as a spreadsheet
 * numbers it, header = row 1) and the column. `code` is stable: tests assert it,
 * never the message.
 */
export interface RuleProblem {
  code: string;
  message: string;
  file: string;
  pointer: string;
  line: number;
  column: number;
}

export interface DataProblem {
  code: string;
  message: string;
  file: string;
  row: number;
  column: string;
}

/** A rule file that cannot be used: every problem found in it, at once. */
export class RuleFileInvalid extends Error {
  readonly code = 'RULE_FILE_INVALID';
  constructor(readonly problems: RuleProblem[], readonly warnings: RuleProblem[] = []) {
    super(problems.map(formatRuleProblem).join('\n'));
  }
}

/** Data that cannot be scored: every bad cell, missing value and failed check, at once. */
export class DataInvalid extends Error {
  readonly code = 'DATA_INVALID';
  constructor(readonly problems: DataProblem[]) {
    super(problems.map(formatDataProblem).join('\n'));
  }
}

export function formatRuleProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.pointer || '/'} [${p.code}] ${p.message}`;
}

export function formatDataProblem(p: DataProblem): string {
  return `${p.file}: 第${p.row}行 “${p.column}”列 [${p.code}] ${p.message}`;
}
