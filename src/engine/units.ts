import type { Env, StringTable } from './expression/ast.js';
import type { CompiledCheck, CompiledInput, CompiledRuleSet } from './compiled.js';
import { decimalText, yesNoText } from './cells.js';
import { generateReader, type Reader, type RowReader, type SourceColumns } from './codegen.js';
import { readEvents } from './events.js';
import { DataInvalid, type DataProblem } from './problems.js';
import { IdIndex } from './id-index.js';
import { own } from './own.js';
import { ABSENT, fieldAt, fieldMissing, fieldValue, sourceField, type SourceResults } from './source-fields.js';

/**
 * Unit data (RULES.md §6) turned into checked values: every input matched to a column
 * by name or label, every cell parsed against its input's type and limits, `checks`
 * evaluated; all problems reported at once, and nothing scored if there is any.
 */

/** A table as read from a file: cells as written (strings from CSV; any JSON value from JSON). */
export interface DataTable {
  file: string;
  /** Column headers in file order. */
  columns: string[];
  rows: Array<{ row: number; cells: Record<string, unknown> }>;
  /** The sources whose results appraise has attached to the table, by name, with each row's place in them (links.ts attachSource), rather than columns. */
  attached?: ReadonlyMap<string, AttachedSource>;
  /** The values of the rows' peer functions (§7.7), worked out over each unit's scope before it is scored (peers.ts). */
  peers?: PeerValues;
  /** Each row's id and parent as text, read once for every pass that asks for them (withKeys). */
  keys?: RowKeys;
}

/**
 * Each row's unit id and parent as text (text()), read once: the sources find each row's result by
 * them, the peers and the ranking gather the scopes by them, the reading checks the ids. Read row by
 * row each time, they were a pass over every row's cells and strings of its own, which at 100,000
 * units is memory far from the cache each time.
 */
export interface RowKeys {
  /** Each row's id; undefined where it has none. */
  readonly ids: ReadonlyArray<string | undefined>;
  /** Each row's parent; null where it has none. Rows of one parent that come together share one string, so they compare at once. */
  readonly parents: ReadonlyArray<string | null>;
  /** Whether the ids there are come in strictly increasing order (a snapshot's, an export's), so that none repeats. */
  readonly increasing: boolean;
}

/** The table with its rows' keys (RowKeys), read once. */
export function withKeys(table: DataTable): DataTable {
  if (table.keys) return table;
  const n = table.rows.length;
  const ids = new Array<string | undefined>(n), parents = new Array<string | null>(n);
  let last: string | undefined, lastParent: string | null = null, increasing = true;
  for (let i = 0; i < n; i++) {
    const cells = table.rows[i].cells;
    const id = text(cells.id);
    ids[i] = id;
    if (id !== undefined) {
      if (increasing && last !== undefined && !(last < id)) increasing = false;
      last = id;
    }
    let parent = text(cells.parent) ?? null;
    if (parent !== null && parent === lastParent) parent = lastParent; // the same string as the row before's
    parents[i] = lastParent = parent;
  }
  return { ...table, keys: { ids, parents, increasing } };
}

/**
 * Where each parent's rows begin (ending with the count), when each parent's rows come together and the
 * parents in key order (no parent first, then ids as code units), as a snapshot, an export or a township's
 * sheet has them; undefined otherwise. A table's keys' parents (which never change) are looked at once
 * (keyRuns): the peers' scopes and the ranking's are the same runs of rows.
 */
export function parentRuns(parents: ReadonlyArray<string | null>): readonly number[] | undefined {
  const known = RUNS.get(parents);
  return known !== undefined ? known ?? undefined : runsOf(parents) ?? undefined;
}

/** parentRuns of a table's keys' parents, worked out once for them. */
export function keyRuns(keys: RowKeys): readonly number[] | undefined {
  let runs = RUNS.get(keys.parents);
  if (runs === undefined) RUNS.set(keys.parents, (runs = runsOf(keys.parents)));
  return runs ?? undefined;
}
const RUNS = new WeakMap<ReadonlyArray<string | null>, number[] | null>();

function runsOf(parents: ReadonlyArray<string | null>): number[] | null {
  const n = parents.length;
  const runs = [0];
  let last = n > 0 ? parents[0] : null;
  for (let i = 1; i < n; i++) {
    const key = parents[i];
    if (key === last) continue;
    if (!(last === null ? key !== null : key !== null && last < key)) return null;
    runs.push(i);
    last = key;
  }
  if (n > 0) runs.push(n);
  return runs;
}

/**
 * A source's results attached to a table, and the place of each row's result in them, row by row (the
 * row's index in `rows`; -1: the unit has none). Kept beside the rows, not on them: a key added to
 * 100,000 rows' cells is 100,000 objects given a new shape and a store of their own, each run.
 */
export interface AttachedSource { results: SourceResults; places: Int32Array; }

/** One row of a table: its spreadsheet row number (header = 1) and its cells as written. */
export type TableRow = DataTable['rows'][number];

/**
 * A unit: its id, name, parent and row, and its values (RULES.md §3 as numbers: NaN
 * undefined, 1/0 booleans, string ids): inputs, links, metrics. What it holds is its kind's
 * own: a HeldUnit holds them; a scored unit (score.ts) reads most of them from its row, or
 * from the unit it scores, when asked, and so keeps 56 bytes where holding them all took 96.
 */
export abstract class Unit {
  abstract readonly id: string;
  abstract readonly name: string | null;
  abstract readonly parent: string | null;
  /** Spreadsheet row number (header = 1). */
  abstract readonly row: number;

  /**
   * The unit's values. A clean row's are read again on each call and not kept (so 100,000
   * units being stored never hold them all at once): read them once per use.
   */
  get env(): Env {
    const env = new Float64Array(this.size);
    this.valuesInto(env);
    return env;
  }

  /** How many values the unit has. */
  protected abstract get size(): number;

  /** Writes the unit's values at the start of `target` (a scorer's scratch), without keeping them. */
  abstract valuesInto(target: Env): void;
}

/**
 * A unit that holds its id, name, parent and row, and its values; or, for a clean row,
 * the row's cells, read again each time its values are asked for (the generated reader
 * takes well under a microsecond), because holding 50-odd numbers for each of 100,000
 * units costs more than reading them twice. The table must therefore not change while
 * its units are in use; a row that no longer reads cleanly is an error, never a silent difference.
 */
export class HeldUnit extends Unit {
  /** The values; or, for a clean row, its cells, read again by `#clean` each time. */
  readonly #source: Env | Record<string, unknown>;
  readonly #clean: CleanRows | undefined;
  readonly #k: number;

  constructor(
    readonly id: string,
    readonly name: string | null,
    readonly parent: string | null,
    readonly row: number,
    /** The values; or, for a clean row, none: they are read again from `cells` by `clean`, the reader of the table's clean rows. */
    values: Env | undefined,
    cells?: Record<string, unknown>,
    clean?: CleanRows,
    /** The clean row's index in its table. */
    k = -1,
  ) {
    super();
    this.#source = values ?? cells!;
    this.#clean = values ? undefined : clean;
    this.#k = k;
  }

  override get env(): Env {
    return this.#clean ? super.env : (this.#source as Env);
  }

  protected get size(): number {
    return this.#clean ? this.#clean.size : (this.#source as Env).length;
  }

  valuesInto(target: Env): void {
    if (!this.#clean) {
      const env = this.#source as Env;
      for (let i = 0; i < env.length; i++) target[i] = env[i];
    } else {
      readAgain(this.#clean, this.#source as Record<string, unknown>, this.#k, target, this);
    }
  }
}

/** Reads a clean row's values (row `k` of its table) again into `target`; a row that no longer reads cleanly has been changed since it was read. */
export function readAgain(clean: CleanRows, cells: Record<string, unknown>, k: number, target: Env, unit: { row: number; id: string }): void {
  if (!clean.read(cells, target, clean.sources, k)) throw new Error(`第${unit.row}行（${unit.id}）在读取后被改动：请重新读取数据`);
}

/** The generated reader of a table's clean rows, how many values it writes, and what it reads beside the rows (the sources' columns, the peers' values): one for all the table's units. */
export interface CleanRows { read: RowReader; size: number; sources: SourceColumns; }

export interface ReadUnitsResult<U extends Unit = Unit> {
  units: U[];
  /** Columns that match no input and were ignored. */
  ignoredColumns: string[];
}

const RESERVED_COLUMNS = ['id', 'name', 'parent'];

export interface ReadOptions<U extends Unit = Unit> {
  /**
   * Leave the linked track's columns (village.total …) out: an import stores a unit's own
   * inputs; the links are added when a run scores them. Checks that read a link are left for then.
   */
  withoutLinks?: boolean;
  /** Makes each unit, and is given it as soon as its row is read (appraise scores it there); plain units by default. */
  maker?: UnitMaker<U>;
  /** Problems already found in what the table was made of (its events, its sources): reported with the table's own, at once. */
  problems?: DataProblem[];
  /** Leave out the checks that call a peer function: the peers' values are not known yet (appraise's first reading). */
  withoutPeerChecks?: boolean;
  /** Read these inputs only (by name), and run no check: what the peers' arguments need (peers.ts). */
  only?: ReadonlySet<string>;
}

/**
 * The values of the units' peer functions (RULES.md §7.7), in the order of `rs.peers`: worked out over
 * each unit's scope before it is scored, and kept in one array for the whole table, `width` (the rule
 * set's peer calls) a row, row by row as in `rows`: read with the row as its inputs are. One array, not
 * an object a row: 100,000 rows are not 100,000 objects to make and collect.
 */
export class PeerValues {
  constructor(readonly all: Float64Array, readonly width: number) {}
}

/**
 * What readUnits makes of each row read, and what is done with it at once: appraise makes
 * scored units and scores each while its values are in the scorer's own array (`scratch`).
 */
export interface UnitMaker<U extends Unit> {
  /** Where clean rows are read (at least `valueSlots` long): the scorer's own array, so nothing is copied. */
  readonly scratch: Env | undefined;
  /** A unit of a clean row (row `k` of the table, of that parent), whose values `clean` reads again from its cells when they are asked for. */
  fromRow(row: TableRow, id: string, parent: string | null, clean: CleanRows, k: number): U;
  /** A unit of a row read the general way, which holds its values. */
  fromHeld(unit: HeldUnit): U;
  /** Called with each unit as soon as its row is read (row `k` of the table), with its values: for a clean row they are in `scratch` and hold only during the call. */
  onRead(unit: U, values: Env, k: number): void;
  /** False: the units are not kept, readUnits returns none (a reading that takes each row's values as it goes: the peers' arguments; appraise's scores, kept in their batch). */
  readonly keeps?: boolean;
}

class PlainUnits implements UnitMaker<Unit> {
  readonly scratch = undefined;
  fromRow(row: TableRow, id: string, parent: string | null, clean: CleanRows, k: number): Unit {
    return new HeldUnit(id, text(row.cells.name) ?? null, parent, row.row, undefined, row.cells, clean, k);
  }
  fromHeld(unit: HeldUnit): Unit { return unit; }
  onRead(): void { /* nothing more to do with a plain unit */ }
}
const PLAIN = new PlainUnits();

export function readUnits<U extends Unit = Unit>(rs: CompiledRuleSet, table: DataTable, opts: ReadOptions<U> = {}): ReadUnitsResult<U> {
  const inputs = opts.only ? rs.inputs.filter((i) => opts.only!.has(i.name)) : opts.withoutLinks ? rs.inputs.filter((i) => !i.link) : rs.inputs;
  const linkNames = new Set(rs.inputs.filter((i) => i.link).map((i) => i.name));
  const checks = opts.only ? [] : rs.checks.filter((c) => !(opts.withoutLinks && c.names.some((n) => linkNames.has(n))) && !(opts.withoutPeerChecks && c.peers));
  const problems: DataProblem[] = [...(opts.problems ?? [])];
  const problem = (row: number, column: string, code: string, message: string) =>
    problems.push({ code, message, file: table.file, row, column });

  const hasId = table.columns.includes('id');
  if (!hasId) problem(1, 'id', 'MISSING_ID_COLUMN', '缺少 “id” 列（单位编号）');

  // Match each input to its column: by name first, then by label.
  const columnOf = new Map<CompiledInput, string>();
  const unlinked = new Set<string>();
  const attached = (input: CompiledInput) => input.link !== undefined && table.attached?.has(input.link) === true;
  for (const input of inputs) {
    if (attached(input)) continue; // read from the row's result (table.attached)
    const col = table.columns.find((c) => c === input.name) ?? table.columns.find((c) => c === input.label);
    if (col !== undefined) columnOf.set(input, col);
    else if (input.link) {
      if (!unlinked.has(input.link)) problem(1, input.link, 'SOURCE_MISSING', `缺少 “${input.link}” 的考核结果：请用 --source ${input.link}=… 提供（如 ${input.link}.total 等列）`);
      unlinked.add(input.link);
    }
    // An events input is never missing: a unit without events has none (§7.6).
    else if (input.default === undefined && input.type !== 'events') problem(1, input.name, 'MISSING_COLUMN', `缺少输入 “${input.label}”（${input.name}）的列`);
  }
  // A check that reads a column the file lacks is not run: the missing column is the problem to report.
  const absent = new Set(inputs.filter((i) => !columnOf.has(i) && i.default === undefined && i.type !== 'events' && !attached(i)).map((i) => i.name));
  const runnable = checks.filter((c) => !c.names.some((n) => absent.has(n)));
  const used = new Set([...RESERVED_COLUMNS, ...columnOf.values()]);
  const ignoredColumns = table.columns.filter((c) => !used.has(c));

  // Only a table whose every needed column is there has clean rows to read fast.
  const reader = problems.length === 0 ? readerFor(rs, inputs, columnOf, runnable, attached) : undefined;
  const clean: CleanRows | undefined = reader && { read: reader.read, size: rs.valueSlots, sources: reader.columnsOf(table.attached, table.peers) };
  // A reading for the peers' arguments reports nothing (the reading that scores does): it need not look for repeated ids.
  const repeats = opts.only ? undefined : unitIdRepeats(table);
  const keys = table.keys;
  // Without a maker, U is Unit itself.
  const maker = opts.maker ?? (PLAIN as unknown as UnitMaker<U>);
  // Units not kept are not listed either: 100,000 of them are a list of 800 KB, memory touched afresh each reading.
  const units: U[] | undefined = maker.keeps === false ? undefined : new Array<U>(table.rows.length);
  let count = 0;
  const scratch = maker.scratch ?? new Float64Array(rs.valueSlots);
  const n = table.rows.length;
  for (let i = 0; i < n; i++) {
    // The clean rows from here on, read by the generated reader in a loop of its own (readClean): it stops at the first row it does not take.
    if (clean) {
      const stop = readClean(table, i, clean, repeats, scratch, maker, units, count);
      count += stop - i;
      i = stop;
      if (i === n) break;
    }
    const tableRow = table.rows[i];
    const { row, cells } = tableRow;
    const before = problems.length;
    const id = keys ? keys.ids[i] : text(cells.id);
    if (id === undefined) { if (hasId) problem(row, 'id', 'MISSING_VALUE', '缺少单位编号 id'); }
    else if (repeats && repeats[i] !== i) problem(row, 'id', 'DUPLICATE_UNIT_ID', `单位编号 “${id}” 与第${table.rows[repeats[i]].row}行重复`);

    // Any other row is read again, here, cell by cell: a row with no id, or one repeated, is read for its other problems.
    const env = new Float64Array(rs.valueSlots);
    for (const input of inputs) {
      const col = columnOf.get(input);
      if (input.type === 'events') {
        // An inline event's problem is at the unit's row, under the key the row wrote its events by.
        const key = own(cells, input.name) !== undefined ? input.name : own(cells, input.label) !== undefined ? input.label : col ?? input.name;
        readEvents(input, rawCell(input, col, cells), env, (p) => problems.push({
          code: p.code, message: p.message, file: p.file ?? table.file, row: p.row ?? row, column: p.file ? p.column : key,
        }));
        continue;
      }
      if (attached(input)) {
        const field = sourceField(rs, input);
        const source = table.attached!.get(field.source.name)!;
        const at = source.places[i];
        const got = at >= 0 ? fieldAt(source.results, at, field) : null;
        if (got === ABSENT) problems.push(fieldMissing(field, text(cells[field.source.match === 'parent' ? 'parent' : 'id']), table.file, row));
        else env[input.slot] = fieldValue(rs, input, got);
        continue;
      }
      if (col === undefined && input.default === undefined) continue; // reported once, for the whole column
      const parsed = parseCell(input, rawCell(input, col, cells), rs.strings);
      if (parsed.ok) env[input.slot] = parsed.value;
      else problem(row, col ?? input.name, parsed.code, parsed.message);
    }
    if (problems.length > before) continue;
    writePeerValues(rs, table.peers, i, env);

    for (const m of rs.metrics) env[m.slot] = m.fn(env);
    for (const check of runnable) {
      if (check.when(env) !== 1) {
        const cols = check.names.map((n) => columnOf.get(rs.inputs.find((i) => i.name === n)!) ?? n);
        problem(row, cols.join('、'), 'CHECK_FAILED', `校验未通过：${check.message}`);
      }
    }
    const unit = maker.fromHeld(new HeldUnit(id!, text(cells.name) ?? null, text(cells.parent) ?? null, row, env));
    if (units !== undefined) units[count] = unit;
    count++;
    maker.onRead(unit, env, i);
  }
  if (problems.length) throw new DataInvalid(problems);
  if (units === undefined) return { units: [], ignoredColumns };
  units.length = count;
  return { units, ignoredColumns };
}

/**
 * Reads the clean rows of the table from row `from` on, each as a unit given to `maker` (into `units`
 * from `count` on), and returns the index of the first row it does not take (the table's length when
 * it takes them all): a row whose id is missing or repeated, or that the generated reader does not
 * take. A loop of its own, so that V8 optimizes it as it is, whatever readUnits' callers pass it.
 */
function readClean<U extends Unit>(table: DataTable, from: number, clean: CleanRows, repeats: Int32Array | undefined, scratch: Env, maker: UnitMaker<U>, units: U[] | undefined, count: number): number {
  const rows = table.rows, keys = table.keys, read = clean.read, sources = clean.sources, n = rows.length;
  let i = from;
  for (; i < n; i++) {
    const tableRow = rows[i];
    const cells = tableRow.cells;
    const id = keys ? keys.ids[i] : text(cells.id);
    if (id === undefined || (repeats !== undefined && repeats[i] !== i) || !read(cells, scratch, sources, i)) break;
    const unit = maker.fromRow(tableRow, id, keys ? keys.parents[i] : text(cells.parent) ?? null, clean, i);
    if (units !== undefined) units[count++] = unit;
    maker.onRead(unit, scratch, i);
  }
  return i;
}

/**
 * For each row, the position of the first row with the same unit id (its own position if it
 * is the first, or if it has no id); undefined when no id can repeat. Ids in increasing order
 * (a snapshot's, an export's) cannot, and need nothing more: not even a list of 100,000
 * positions, which on these machines is memory touched for the first time on every read.
 * Other ids are found in an IdIndex (id-index.ts), sized for the table once: a Map of 100,000 fresh
 * strings reallocates its buckets as it grows.
 */
function unitIdRepeats(table: DataTable): Int32Array | undefined {
  const n = table.rows.length;
  if (table.keys) {
    if (table.keys.increasing) return undefined; // withKeys has looked
  } else {
    let last: string | undefined;
    let k = 0;
    for (; k < n; k++) {
      const id = text(table.rows[k].cells.id);
      if (id === undefined) continue;
      if (last !== undefined && !(last < id)) break;
      last = id;
    }
    if (k === n) return undefined;
  }
  const ids = table.keys ? table.keys.ids : table.rows.map((r) => text(r.cells.id));
  // A row with no id stands as '' (text() gives no empty id), which no row with an id can be.
  const index = new IdIndex(ids.map((id) => id ?? '')); // of an id given twice, the first place is found
  const firstOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    firstOf[i] = id === undefined ? i : index.indexOf(id);
  }
  return firstOf;
}

/**
 * A cell as a row gives it, each row by its own keys: a JSON object may spell an input by
 * name and the next by label. A linked unit's figure may be undefined (its rate had
 * nothing due): an empty cell there is the value NaN, not a gap.
 */
function rawCell(input: CompiledInput, col: string | undefined, cells: Record<string, unknown>): unknown {
  const byName = own(cells, input.name);
  const byLabel = byName !== undefined || col === undefined ? undefined : own(cells, input.label);
  const raw = byName !== undefined ? byName : col === undefined ? undefined : byLabel !== undefined ? byLabel : own(cells, col);
  return input.link && (raw === undefined || raw === null || raw === '') ? LINK_UNDEFINED : raw;
}

const LINK_UNDEFINED = Symbol('undefined link');

/** Writes row k's peer values into its unit's values; undefined (NaN) before they are known. */
export function writePeerValues(rs: CompiledRuleSet, peers: PeerValues | undefined, k: number, env: Env): void {
  const width = rs.peers.length;
  for (let j = 0; j < width; j++) env[rs.peers[j].slot] = peers ? peers.all[k * width + j] : NaN;
}

/** Generated readers by rule set and the columns they read (codegen.ts). */
const readers = new WeakMap<CompiledRuleSet, Map<string, Reader>>();

function readerFor(rs: CompiledRuleSet, inputs: CompiledInput[], columnOf: Map<CompiledInput, string>, checks: CompiledCheck[], attached: (i: CompiledInput) => boolean): Reader {
  const plan = inputs.map((input) => ({ input, column: columnOf.get(input), attached: attached(input) }));
  const key = `${plan.map((p) => `${p.input.slot}${p.attached ? 'a' : p.column === undefined ? '-' : p.column === p.input.name ? 'n' : 'l'}`).join(',')}|${checks.map((c) => rs.checks.indexOf(c)).join(',')}`;
  let byColumns = readers.get(rs);
  if (!byColumns) readers.set(rs, (byColumns = new Map()));
  let reader = byColumns.get(key);
  if (!reader) {
    const general = plan.map(({ input, column }) => (input.type === 'events'
      ? (cells: Record<string, unknown>, env: Env) => readEvents(input, rawCell(input, column, cells), env)
      : (cells: Record<string, unknown>) => {
        const parsed = parseCell(input, rawCell(input, column, cells), rs.strings);
        return parsed.ok ? parsed.value : undefined;
      }));
    byColumns.set(key, (reader = generateReader(rs, plan, general, checks)));
  }
  return reader;
}

/** An input's value as a person reads it (and as data files write it): null for undefined. */
export function inputValue(rs: CompiledRuleSet, input: CompiledInput, v: number): number | boolean | string | null {
  if (v !== v) return null;
  if (input.type === 'boolean') return v === 1;
  if (input.type === 'grade' || input.type === 'text') return rs.strings.text(v) ?? null;
  return v;
}

/** A unit's own inputs (not its links) by name, as a person reads them. */
export function inputValues(rs: CompiledRuleSet, unit: Unit): Record<string, number | boolean | string | null> {
  const env = unit.env;
  return Object.fromEntries(rs.inputs.filter((i) => !i.link && i.type !== 'events').map((i) => [i.name, inputValue(rs, i, env[i.slot])]));
}

/** A default value as the number the engine computes with. */
function numeric(v: number | boolean | string, strings: StringTable): number {
  return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : strings.id(v);
}

/** A cell as the text of an id or a name: trimmed; undefined when empty. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') {
    // The usual id or name has printable ASCII (or CJK) at both ends, which no trim changes: itself,
    // with no call into trim (a unit's id is asked for several times a reading).
    const n = v.length;
    if (n > 0 && plain(v.charCodeAt(0)) && plain(v.charCodeAt(n - 1))) return v;
    const s = v.trim();
    return s === '' ? undefined : s;
  }
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** A character no trim removes: printable ASCII, or the CJK block (U+4E00–U+9FFF). */
function plain(c: number): boolean {
  return (c > 0x20 && c < 0x7f) || (c >= 0x4e00 && c <= 0x9fff);
}

export type Parsed = { ok: true; value: number } | { ok: false; code: string; message: string };

/** One cell parsed against its input's type and limits, as every row's cells are. */
export function parseCell(input: CompiledInput, raw: unknown, strings: StringTable): Parsed {
  if (raw === LINK_UNDEFINED) return { ok: true, value: NaN };
  const missing = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
  if (missing) {
    if (input.default !== undefined) return { ok: true, value: numeric(input.default, strings) };
    return { ok: false, code: 'MISSING_VALUE', message: `缺少 “${input.label}” 的数值` };
  }
  const shown = typeof raw === 'string' ? raw.trim() : JSON.stringify(raw);
  switch (input.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw ? 1 : 0 };
      const yes = yesNoText(shown);
      if (yes === yes) return { ok: true, value: yes };
      return { ok: false, code: 'NOT_A_BOOLEAN', message: `“${shown}” 不是是/否值（可填 是/否、1/0、true/false）` };
    }
    case 'text':
      return { ok: true, value: strings.id(shown) };
    case 'grade': {
      if (typeof raw === 'string' && input.grades?.includes(shown)) return { ok: true, value: strings.id(shown) };
      return { ok: false, code: 'UNKNOWN_GRADE_VALUE', message: `“${shown}” 不是 ${input.grades?.join('/')} 之一` };
    }
    default: {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && (n = decimalText(shown)) === n) { /* a decimal written as text */ }
      else return { ok: false, code: 'NOT_A_NUMBER', message: `“${shown}” 不是数字` };
      if (!Number.isFinite(n)) return { ok: false, code: 'NOT_A_NUMBER', message: `“${shown}” 不是有限的数字` };
      if (input.type === 'integer' && !Number.isInteger(n)) return { ok: false, code: 'NOT_AN_INTEGER', message: `“${shown}” 应为整数` };
      if ((input.min !== undefined && n < input.min) || (input.max !== undefined && n > input.max)) {
        const range = `${input.min ?? '−∞'}～${input.max ?? '∞'}`;
        return { ok: false, code: 'OUT_OF_RANGE', message: `${shown} 超出允许范围 ${range}` };
      }
      return { ok: true, value: n };
    }
  }
}
