import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DataInvalid } from '../engine/index.js';

/**
 * How much a data file may hold. A township's file for a period has tens to hundreds of
 * villages or staff (a county's, some tens of thousands of rows) and a few dozen columns
 * (the largest shipped rule set has 51 inputs). The limits are ten times that and more,
 * so no real file meets them, while a crafted one (200,000 columns, a million rows) is
 * refused by name, at the row or column where it passes them, before it costs the server
 * its memory or its time.
 */
export interface DataLimits {
  /** columns in the header row (and cells in any row) */
  maxColumns: number;
  /** rows after the header, blank ones included: each costs the reader the same */
  maxRows: number;
}

export const DATA_LIMITS: DataLimits = { maxColumns: 500, maxRows: 200_000 };

/** The column beyond the limit: its header when it has one, else its position. */
export function tooManyColumns(file: string, row: number, count: number, limits: DataLimits, header?: string): DataInvalid {
  const at = limits.maxColumns + 1;
  const name = header?.trim() ? header.trim().slice(0, 40) : `第${at}列`;
  const what = row === 1 ? '表头' : `第${row}行`;
  return new DataInvalid([{
    code: 'TOO_MANY_COLUMNS', file, row, column: name,
    message: `${what}有 ${count >= at ? count : `超过 ${limits.maxColumns}`} 列，超过了每个文件最多 ${limits.maxColumns} 列的上限（从第${at}列起）：请只保留需要导入的列`,
  }]);
}

/** The first row beyond the limit (the header is row 1, so data rows are 2 … maxRows + 1). */
export function tooManyRows(file: string, limits: DataLimits): DataInvalid {
  const row = limits.maxRows + 2;
  return new DataInvalid([{
    code: 'TOO_MANY_ROWS', file, row, column: '',
    message: `数据超过了每个文件最多 ${limits.maxRows} 行的上限（第${row}行起）：请分成几个文件分别导入，或删去多余的空行`,
  }]);
}

/**
 * Reading a large file is cut into slices of bounded work; between two slices the event
 * loop answers other requests (setImmediate lets timers and I/O run first, which a
 * resolved promise would not).
 */
export const yieldTurn = (): Promise<void> => nextTurn();

/** For measuring the pipeline at sizes past the limits (bench/): never for a file a person gives. */
export const UNLIMITED: DataLimits = { maxColumns: Infinity, maxRows: Infinity };

/** The most bytes a data file read from disk may have: a file of the most rows and columns a real one has is a fraction of it. */
export const DATA_FILE_MAX_BYTES = 256 * 1024 * 1024;

/** A file that is more than a reader takes: how large it is (at least), and the most allowed. */
export class FileTooLarge extends Error {
  constructor(readonly file: string, readonly most: number) { super(`${file} 超过 ${Math.round(most / 1024 / 1024)} MB`); }
}

/**
 * A file's bytes, read a piece at a time up to `most` (FileTooLarge past it, having read no more than one piece
 * beyond): a device or pipe that never ends (/dev/zero), or a file of gigabytes, costs no more than the limit.
 * Errors of the file system (no such file, a folder) are thrown as they are, for the caller to say in words.
 */
export function readAtMost(file: string, most: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const pieces: Buffer[] = [];
    let total = 0;
    for (;;) {
      const piece = Buffer.allocUnsafe(Math.min(4 * 1024 * 1024, most + 1 - total));
      const n = readSync(fd, piece, 0, piece.length, null);
      if (n === 0) break;
      pieces.push(n === piece.length ? piece : piece.subarray(0, n));
      total += n;
      if (total > most) throw new FileTooLarge(file, most);
    }
    return Buffer.concat(pieces, total);
  } finally {
    closeSync(fd);
  }
}

/** The file's size said as a data problem: refused at once, nothing read of it. */
export function dataFileTooLarge(file: string, most = DATA_FILE_MAX_BYTES): DataInvalid {
  return new DataInvalid([{ code: 'DATA_TOO_LARGE', file, row: 1, column: '', message: `文件超过每个文件最多 ${Math.round(most / 1024 / 1024)} MB 的上限：请分成几个文件分别导入` }]);
}
