import type { Response } from 'express';
import { sniffEvidence } from '../io/evidence.js';

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

/** Characters of a file name kept before its extension: Windows allows 255 in all, less in a deep folder. */
export const MAX_FILE_NAME_CHARS = 100;

export function savableFileName(name: string): string {
  // Direction marks and invisible characters go first: 通报\u202Excod.docx would show as 通报docx.exe.
  const safe = name.replace(/[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g, '').replace(/[\\/:*?"<>|\u0000-\u001f\u007f-\u009f]/g, '_');
  const dot = safe.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, ''];
  const chars = [...stem];
  // A name from data (a unit's, 2,000 characters long) is cut, never split inside a character; no trailing dot or space (Windows drops them).
  const cut = (chars.length > MAX_FILE_NAME_CHARS ? `${chars.slice(0, MAX_FILE_NAME_CHARS - 1).join('')}…` : stem).replace(/[. ]+$/, '');
  return `${cut || '_'}${ext}`;
}

export function sendDownload(res: Response, fileName: string, format: keyof typeof TYPES, bytes: Buffer | Uint8Array): void {
  res.attachment(savableFileName(fileName)).type(TYPES[format]).send(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
}

/**
 * A file a person sent (申诉材料, 佐证材料) as a download only, never shown inline: typed by its content
 * (never by its name or the type the browser declared), sandboxed, same-origin only.
 */
export function sendEvidenceFile(res: Response, fileName: string, stored: Buffer | Uint8Array): void {
  const content = Buffer.isBuffer(stored) ? stored : Buffer.from(stored);
  // attachment() types the answer by the name's extension: the content's own type is set after it.
  res.attachment(savableFileName(fileName));
  res.set({
    'Content-Type': sniffEvidence(content) ?? 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': 'sandbox',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  res.send(content);
}
