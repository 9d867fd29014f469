import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataInvalid, type DataTable } from '../engine/index.js';
import { parseDataBytes } from './data-file.js';

/** Any data file a township uploads: CSV, JSON, or XLSX (told by its name, and checked by its content). */
export async function readTable(bytes: Buffer, file: string): Promise<DataTable> {
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (path.extname(file).toLowerCase() === '.xlsx' || zip) {
    const { readXlsxData } = await import('./xlsx.js'); // exceljs takes a second to load: only when needed
    return readXlsxData(file, bytes);
  }
  return parseDataBytes(bytes, file);
}

export async function readTableFile(file: string): Promise<{ table: DataTable; bytes: Buffer }> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataInvalid([{ code: 'DATA_FILE_UNREADABLE', message: `无法读取数据文件：${(e as Error).message}`, file, row: 1, column: '' }]);
  }
  return { table: await readTable(bytes, file), bytes };
}
