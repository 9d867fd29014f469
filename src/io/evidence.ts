/**
 * Evidence files of an appeal (申诉材料): what a file is, by its first bytes, never by its
 * name or the type the browser declared. Only JPEG, PNG and PDF are taken; anything else
 * (an HTML page named 证明.pdf, a script named photo.jpg) is refused.
 */
import { withoutMarks } from './text.js';

export type EvidenceType = 'image/jpeg' | 'image/png' | 'application/pdf';

/** At most this many bytes a file, and this many files an appeal. */
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024;
export const EVIDENCE_MAX_FILES = 5;
/** Characters of a file name kept for display and download. */
export const EVIDENCE_NAME_CHARS = 100;

const SIGNATURES: Array<{ type: EvidenceType; bytes: number[] }> = [
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'application/pdf', bytes: [...Buffer.from('%PDF-', 'latin1')] },
];

/** The type of a file by its content, or null when it is none of those taken. */
export function sniffEvidence(content: Uint8Array): EvidenceType | null {
  for (const s of SIGNATURES) {
    if (content.length >= s.bytes.length && s.bytes.every((b, k) => content[k] === b)) return s.type;
  }
  return null;
}

/** What a type is called where a person reads it. */
export const EVIDENCE_TYPE_NAMES: Readonly<Record<EvidenceType, string>> = { 'image/jpeg': 'JPEG 图片', 'image/png': 'PNG 图片', 'application/pdf': 'PDF 文档' };

/** The extension a download of this type gets when its name has none of its own. */
const EXTENSIONS: Readonly<Record<EvidenceType, string[]>> = { 'image/jpeg': ['.jpg', '.jpeg'], 'image/png': ['.png'], 'application/pdf': ['.pdf'] };

/**
 * A file name as it is shown and offered for download: control characters and direction or
 * invisible marks removed (证明\u202Efdp.exe would read 证明exe.pdf), path separators made
 * `_`, cut to 100 characters (never inside a character), and ending in its type's extension.
 */
export function cleanEvidenceName(name: string, type: EvidenceType): string {
  // A name sent with its folder (C:\\材料\\证明.pdf, from an old browser) keeps the file's own name.
  const own = name.split(/[\\/]/).pop() ?? '';
  const clean = withoutMarks(own.normalize('NFC')).replace(/[:*?"<>|]/g, '_').trim();
  const ext = EXTENSIONS[type].find((e) => clean.toLowerCase().endsWith(e));
  const stem = (ext ? clean.slice(0, clean.length - ext.length) : clean).replace(/[. ]+$/, '');
  const tail = ext ? clean.slice(clean.length - ext.length) : EXTENSIONS[type][0];
  const chars = [...stem];
  const room = EVIDENCE_NAME_CHARS - tail.length;
  const cut = chars.length > room ? `${chars.slice(0, room - 1).join('')}…` : stem;
  return `${cut || '材料'}${tail}`;
}


export class EvidenceRefused extends Error {
  constructor(readonly code: 'EVIDENCE_TYPE' | 'EVIDENCE_TOO_LARGE' | 'EVIDENCE_TOO_MANY' | 'EVIDENCE_EMPTY', message: string) { super(message); }
}

export interface EvidenceUpload { name: string; content: Buffer; }
export interface Evidence { name: string; type: EvidenceType; size: number; content: Buffer; }

/** Checks the files of one appeal; the first problem is refused with its file named. */
export function checkEvidence(files: EvidenceUpload[]): Evidence[] {
  if (files.length > EVIDENCE_MAX_FILES) throw new EvidenceRefused('EVIDENCE_TOO_MANY', `一次申诉最多附 ${EVIDENCE_MAX_FILES} 个材料文件，而不是 ${files.length} 个`);
  return files.map((f, k) => {
    const shown = `第${k + 1}个材料文件“${[...withoutMarks(f.name)].slice(0, 40).join('')}”`;
    if (f.content.length === 0) throw new EvidenceRefused('EVIDENCE_EMPTY', `${shown}是空文件`);
    if (f.content.length > EVIDENCE_MAX_BYTES) throw new EvidenceRefused('EVIDENCE_TOO_LARGE', `${shown}太大：每个文件不超过 ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB`);
    const type = sniffEvidence(f.content);
    if (!type) throw new EvidenceRefused('EVIDENCE_TYPE', `${shown}不是 JPEG、PNG 图片或 PDF 文档（按文件内容判断，与文件名无关）`);
    return { name: cleanEvidenceName(f.name, type), type, size: f.content.length, content: f.content };
  });
}

/** 1.2 MB, 340 KB, 512 字节 */
export function sizeInWords(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${bytes} 字节`;
}
