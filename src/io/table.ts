import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataInvalid, type DataTable } from '../engine/index.js';
import { readDataBytes } from './data-file.js';
import { DATA_LIMITS } from './limits.js';

/**
 * Any data file a township uploads: CSV, JSON, or XLSX (told by its name, and checked by
 * its content), read within DATA_LIMITS and in slices, so that the server answers others
 * while it reads.
 */
export async function readTable(bytes: Buffer, file: string, limits = DATA_LIMITS): Promise<DataTable> {
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (path.extname(file).toLowerCase() === '.xlsx' || zip) {
    const { readXlsxData } = await import('./xlsx.js'); // exceljs takes a second to load: only when needed
    return readXlsxData(file, bytes, limits);
  }
  return readDataBytes(bytes, file, limits);
}

export async function readTableFile(file: string, limits = DATA_LIMITS): Promise<{ table: DataTable; bytes: Buffer }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new DataInvalid([{ code: 'DATA_FILE_UNREADABLE', message: `无法读取数据文件：${(e as Error).message}`, file, row: 1, column: '' }]);
  }
  return { table: await readTable(bytes, file, limits), bytes };
}
