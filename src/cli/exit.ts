/** Exit codes of the `appraisal` command. */
export const EXIT = {
  ok: 0,
  /** an invalid rule file */
  rules: 1,
  /** invalid data */
  data: 2,
  /** wrong usage: unknown command or option, missing argument */
  usage: 3,
  /** refused by the record: not found, already published, not a draft … */
  refused: 4,
  /** `verify` found a difference */
  mismatch: 5,
  /** the database cannot be opened or fails its integrity check */
  database: 6,
  /** an error the product did not foresee (a bug: please report it) */
  internal: 70,
} as const;
