/**
 * Text as Chinese offices save it: UTF-8 with or without a BOM, or GB18030 (what Excel
 * writes for "CSV" on Chinese Windows); UTF-16 when it starts with its BOM. Valid UTF-8
 * is taken as UTF-8. Other bytes are decoded as UTF-8 when most of their non-ASCII text is
 * valid UTF-8 (a UTF-8 file with a few broken bytes), else as GB18030 (which covers GBK
 * and GB2312). Bytes that are invalid in the encoding chosen become U+FFFD, never dropped
 * silently: the readers report every cell that holds one (badCharacter below), at its row
 * and column, and import nothing.
 */
export type Encoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

export function decodeText(bytes: Uint8Array): { text: string; encoding: Encoding } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const utf8 = new TextDecoder('utf-8').decode(bytes);
    // GBK read as UTF-8 gives about ten replacements for each character that happens to be valid.
    let replaced = 0, valid = 0;
    for (let i = 0; i < utf8.length; i++) {
      const c = utf8.charCodeAt(i);
      if (c === 0xfffd) replaced++;
      else if (c > 0x7f) valid++;
    }
    if (valid > replaced) return { text: utf8, encoding: 'utf-8' };
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

/**
 * Anything a character a cell may hold is not: C0 and C1 control characters (but tab,
 * line feed and carriage return, which a quoted cell may hold), U+FFFD (bytes the file's
 * encoding could not decode), a BOM (U+FEFF) anywhere but the file's start, the
 * non-characters U+FFFE and U+FFFF, and a surrogate without its pair.
 */
const MAYBE_BAD = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFEFF\uFFFD\uFFFE\uFFFF]/;
const BAD = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF\uFFFD\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a whole file's text may hold a bad character: when it cannot, no cell is checked one by one. */
export function mayHoldBadCharacter(text: string): boolean {
  return MAYBE_BAD.test(text);
}

/** A cell's first bad character said in words (where and what), or undefined for a clean cell. */
export function badCharacter(cell: string): { code: string; message: string } | undefined {
  const m = BAD.exec(cell);
  if (!m) return undefined;
  const ch = m[0].charCodeAt(0);
  const at = `第${[...cell.slice(0, m.index)].length + 1}个字符`;
  if (ch === 0xfffd) {
    return { code: 'INVALID_ENCODING', message: `${at}处有无法识别的字节（不是有效的 UTF-8 或 GB18030 编码，文件可能已损坏或编码不对）：请在 Excel 中改正后另存为“CSV UTF-8”或 Excel 工作簿再上传` };
  }
  if (ch >= 0xd800 && ch <= 0xdfff) return { code: 'INVALID_ENCODING', message: `${at}是不成对的代理字符（无效的 Unicode 文字）：请重新输入这一格` };
  if (ch === 0xfeff) return { code: 'CONTROL_CHARACTER', message: `${at}是夹在中间的字节顺序标记（BOM，常见于把几个文件直接拼接）：请删去后再上传` };
  const hex = ch.toString(16).toUpperCase().padStart(4, '0');
  return { code: 'CONTROL_CHARACTER', message: `${at}是看不见的控制字符（U+${hex}）：请删去后再上传（UTF-16 文件请另存为“CSV UTF-8”）` };
}

/**
 * Control characters, invisible marks (枫\u200b林村 reads as a second 枫林村) and the marks that turn
 * the direction of the text around them: nothing a name, title or label people read may hold.
 */
export const UNFIT_MARK = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;
const UNFIT_MARKS = new RegExp(UNFIT_MARK.source, 'g');

/** Text from outside as a page or a report shows it: without the marks above, so that nothing hides or turns it. */
export function withoutMarks(text: string): string {
  return text.replace(UNFIT_MARKS, '');
}

/**
 * Text a person wrote in a form (an appeal's reason, a review's comment), as kept: line breaks made \n, tabs spaces,
 * control characters and direction or invisible marks removed, trimmed.
 */
export function writtenText(text: unknown): string {
  return String(text ?? '').replace(/\r\n?/g, '\n').replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '').trim();
}
