/**
 * Text as Chinese offices save it: UTF-8 with or without a BOM, or GB18030 (what Excel
 * writes for "CSV" on Chinese Windows). Valid UTF-8 is taken as UTF-8; anything else
 * is decoded as GB18030, which covers GBK and GB2312.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}
