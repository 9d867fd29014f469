/**
 * A hash as people see it (校验值): its first 8 characters — enough to tell two versions of a
 * rule set or two results apart, and short enough for a phone, a print and a file's 说明.
 */
export const SHORT_HASH_CHARS = 8;

export const shortHash = (hash: string): string => hash.slice(0, SHORT_HASH_CHARS);
