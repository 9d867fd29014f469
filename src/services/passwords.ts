import { randomBytes, randomInt } from 'node:crypto';
import argon2 from 'argon2';

/**
 * Passwords: kept only as argon2id hashes; checked for length (in characters, so a long
 * Chinese passphrase is welcome) and against the passwords every attacker tries first.
 */

export const MIN_LENGTH = 10;
export const MAX_LENGTH = 256;

// The most common passwords of Chinese and English leaks, lower-cased; any password that is one of
// these, or one of these with digits appended, is refused.
const COMMON = new Set([
  '123456', '123456789', '12345678', '1234567890', '111111', '000000', '123123', '666666', '888888', '5201314',
  'password', 'password1', 'passw0rd', 'qwerty', 'qwertyuiop', 'abc123', 'abcd1234', 'a123456', 'a123456789',
  'iloveyou', 'woaini', 'woaini1314', 'admin', 'admin123', 'administrator', 'root', 'letmein', 'welcome',
  'monkey', 'dragon', 'football', 'baseball', 'master', 'sunshine', 'princess', 'qazwsx', 'zxcvbnm', '1qaz2wsx',
  'aa123456', 'asdfghjkl', '147258369', '987654321', '112233', '7758521', 'qq123456', 'changeme', 'secret',
  'appraisal', 'leader', 'village', 'staff', 'test', 'guest', 'user', 'default', 'p@ssw0rd', 'p@ssword',
  'zhangwei', 'wangfang', 'liwei', 'wangwei', 'jihuashengyu', 'jisheng', 'qianfen', 'kaohe',
]);

export type PasswordProblem = 'TOO_SHORT' | 'TOO_LONG' | 'TOO_COMMON';

export function passwordProblem(password: string): PasswordProblem | null {
  const length = [...password].length;
  if (length < MIN_LENGTH) return 'TOO_SHORT';
  if (length > MAX_LENGTH) return 'TOO_LONG';
  const base = password.toLowerCase().replace(/\d+$/, '');
  if (COMMON.has(password.toLowerCase()) || COMMON.has(base) || /^(.)\1+$/.test(password) || /^\d+$/.test(password)) return 'TOO_COMMON';
  return null;
}

export const PASSWORD_MESSAGES: Record<PasswordProblem, string> = {
  TOO_SHORT: `密码至少 ${MIN_LENGTH} 个字符（可以用中文短句）`,
  TOO_LONG: `密码最多 ${MAX_LENGTH} 个字符`,
  TOO_COMMON: '这个密码太常见，容易被猜中，请换一个',
};

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function passwordMatches(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a password nobody knows, made once with the same parameters as every other:
 * a login naming no usable account is checked against it, so it costs what a wrong
 * password costs and its answer's time does not tell which accounts exist.
 */
export function dummyHash(): Promise<string> {
  if (!dummy) {
    dummy = hashPassword(randomBytes(32).toString('base64'));
    dummy.catch(() => { dummy = undefined; });
  }
  return dummy;
}

/** A generated password: 16 characters from an alphabet without look-alikes (0/O, 1/l/I). */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  let out = '';
  for (let i = 0; i < 16; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
