/** An independent reference implementation of RULES.md (version 2), for differential tests only. */
export { referenceScore, type ReferenceOptions, type ScoreJsonOutput, type UnitOutput } from './score.js';
export { ReferenceDataInvalid, type DataProblem, type EventRow } from './data.js';
