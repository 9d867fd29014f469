/**
 * The items of a JSON array held as UTF-8 bytes, parsed a part at a time. A run's input
 * snapshot of a million units is larger than the longest string V8 can make (about 512 MiB
 * of text), so it is never decoded as one string: the bytes are scanned for the commas
 * between the array's own items (outside strings and nested values), and each part of
 * `perPart` items is decoded and parsed by JSON.parse on its own, which also checks it.
 * A part is kept small (a string of more than about 500 KB goes into memory mapped afresh).
 */
export function* jsonArrayParts(bytes: Uint8Array, perPart = 100): Generator<unknown[]> {
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_ARRAY) throw new SyntaxError('JSON 数组应以 “[” 开头');
  let start = i + 1, depth = 0, items = 0, inString = false;
  for (i++; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++; // the escaped byte is never the string's end
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_ARRAY || b === OPEN_OBJECT) depth++;
    else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      if (depth > 0) { depth--; continue; }
      if (b !== CLOSE_ARRAY) throw new SyntaxError(`JSON 数组在第 ${i} 字节处有多余的 “}”`);
      const end = skipSpace(bytes, i + 1);
      if (end !== bytes.length) throw new SyntaxError(`JSON 数组在第 ${end} 字节处结束后还有内容`);
      yield parsePart(bytes, start, i);
      return;
    } else if (b === COMMA && depth === 0 && ++items === perPart) {
      yield parsePart(bytes, start, i);
      start = i + 1;
      items = 0;
    }
  }
  throw new SyntaxError('JSON 数组没有结束（缺少 “]”）');
}

function parsePart(bytes: Uint8Array, from: number, to: number): unknown[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('utf8');
  return JSON.parse(`[${text}]`) as unknown[];
}

function skipSpace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return i;
}

const OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c;
