import type { Response } from 'express';

/**
 * An export sent as a download. Its file name is made from data (a unit id, a period, a
 * rule set id), so it is first made a name any office PC can save: the characters Windows
 * refuses in a file name and the path separators (`\ / : * ? " < > |`) and control
 * characters become `_` — express would otherwise keep only what follows the last `/` of
 * `记分卡-a/b-2024.csv`. express then writes it as RFC 6266 `filename` (Latin-1, quoted)
 * and RFC 5987 `filename*=UTF-8''…` (percent-encoded), so no name can break the header.
 */

const TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

export function savableFileName(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f-\u009f]/g, '_');
}

export function sendDownload(res: Response, fileName: string, format: keyof typeof TYPES, bytes: Buffer | Uint8Array): void {
  res.attachment(savableFileName(fileName)).type(TYPES[format]).send(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
}
