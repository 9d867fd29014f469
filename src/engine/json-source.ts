/**
 * JSON parsing that remembers where each value stands, so that an error found at a
 * JSON pointer can be reported at its line and column in the file (1-based; a
 * column counts characters, so one Chinese character is one column).
 */

export interface Position { line: number; column: number; }

export interface SourceMap {
  /** Position of the value at a JSON pointer ('' is the whole document). */
  at(pointer: string): Position;
  /** Position of a character inside a string value at a pointer (for expressions). */
  inString(pointer: string, offset: number): Position;
  /** The pointers of numbers too large for a double (`1e400`): JSON allows them, nothing can compute with them. */
  readonly nonFinite: readonly string[];
  /** The pointers of keys an object gives twice (JSON.parse keeps the last; `at` is the last's place). */
  readonly duplicates: readonly string[];
}

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly position: Position) {
    super(message);
  }
}

/** Escapes one reference token of a JSON pointer (RFC 6901). */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parseJsonWithSource(text: string): { value: unknown; source: SourceMap } {
  const starts = new Map<string, number>();
  const nonFinite: string[] = [];
  const duplicates: string[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const positionOf = (offset: number): Position => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };

  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (message: string, at = i): never => { throw new JsonSyntaxError(message, positionOf(at)); };
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };

  function value(pointer: string, depth: number): unknown {
    ws();
    if (depth > 512) fail('JSON 嵌套过深（超过 512 层）');
    starts.set(pointer, i);
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('此处应为带引号的键名');
        const key = string();
        ws();
        if (text[i] !== ':') fail('键名后应为冒号 “:”');
        i++;
        const at = `${pointer}/${pointerToken(key)}`;
        if (Object.hasOwn(obj, key)) duplicates.push(at);
        Object.defineProperty(obj, key, { value: value(at, depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail('此处应为逗号 “,” 或 “}”');
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value(`${pointer}/${arr.length}`, depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail('此处应为逗号 “,” 或 “]”');
      }
    }
    if (c === '"') return string();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      const n = Number(m[0]);
      if (!Number.isFinite(n)) nonFinite.push(pointer);
      return n;
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    return fail(i >= text.length ? 'JSON 意外结束' : `无法识别的内容 “${text.slice(i, i + 10)}”`);
  }

  function string(): string {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('字符串缺少结束引号', start);
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { out += simple[e]; i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail('无效的转义字符');
      }
      if (c < ' ') fail('字符串中有未转义的控制字符');
      out += c;
      i++;
    }
  }

  const doc = value('', 0);
  ws();
  if (i < text.length) fail('JSON 结束后还有多余内容');

  const at = (pointer: string): Position => {
    let p = pointer;
    for (;;) {
      const s = starts.get(p);
      if (s !== undefined) return positionOf(s);
      if (p === '') return { line: 1, column: 1 };
      p = p.slice(0, p.lastIndexOf('/'));
    }
  };
  return {
    value: doc,
    source: {
      at,
      nonFinite,
      duplicates,
      inString(pointer, offset) {
        const s = starts.get(pointer);
        if (s === undefined) return at(pointer);
        // Walk the raw text so that escapes (\" \u4e00) count as the characters they stand for.
        let raw = s + 1;
        for (let k = 0; k < offset && raw < text.length && text[raw] !== '"'; k++) {
          raw += text[raw] === '\\' ? (text[raw + 1] === 'u' ? 6 : 2) : 1;
        }
        return positionOf(raw);
      },
    },
  };
}
