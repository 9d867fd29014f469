/**
 * A LIKE pattern for the rows whose text holds `text` as typed: LIKE's own characters in it (% _ and the
 * backslash) taken as themselves. Used with `LIKE ? ESCAPE '\'`, the text always a bound value.
 */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
