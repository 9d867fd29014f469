import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * What a login attempt is counted against: the account it names and the address it came
 * from, each spelled one way however the attacker spells it, so that no variant of a name or
 * an address starts a fresh count, and each short enough for the throttle table.
 */

/** The names accounts may have (addUser refuses any other): a name outside it names no account. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{2,64}$/;

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 40);

/** The name as typed, without the spaces around it (of any kind: a trailing tab or an ideographic space). */
export function typedName(username: string): string {
  return username.trim();
}

/**
 * The account's key: case and width folded ("ADMIN", "ａｄｍｉｎ" and "admin" count as one).
 * A name no account can have (too long, control characters, other scripts) is kept as a
 * digest, so that a megabyte of name is 40 characters in the table and a NUL never reaches it.
 */
export function accountKey(username: string): string {
  const folded = typedName(username).normalize('NFKC').toLowerCase();
  return USERNAME_PATTERN.test(folded) ? `user:${folded}` : `user:#${digest(folded)}`;
}

/**
 * The address's key. An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, `::ffff:a00:1`)
 * counts as the IPv4 address; an IPv6 address counts as its /64 network, the block one
 * subscriber is given, so that a client cannot take a fresh address from it per guess.
 */
export function addressKey(address: string): string {
  const bare = address.trim().replace(/%.*$/, ''); // a zone (fe80::1%eth0) names the interface, not the peer
  if (isIPv4(bare)) return `addr:${bare}`;
  if (isIPv6(bare)) {
    const groups = ipv6Groups(bare);
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
      return `addr:${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
    }
    return `addr:${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
  }
  return `addr:#${digest(bare)}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, an IPv4 tail read as two groups). */
function ipv6Groups(address: string): number[] {
  const read = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head, tail] = address.split('::');
  const front = read(head);
  if (tail === undefined) return front;
  const back = read(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The name as the audit log shows it: at most 64 characters, control characters made visible, never empty. */
export function auditedName(username: string): string {
  const shown = [...typedName(username).replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd')].slice(0, 64).join('');
  return shown || '(empty)';
}
