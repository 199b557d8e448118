import { dictionary } from '@zxcvbn-ts/language-common';

/** How many of the package's frequency-ranked passwords are refused. */
export const COMMON_PASSWORD_COUNT = 10_000;

/** The form in which passwords are compared with the list: NFKC, then case-folded. */
const comparable = (password: string): string => password.normalize('NFKC').toLowerCase();

let common: Set<string> | undefined;

/**
 * Whether the password is one of the 10,000 most common ones. The set is built on first use
 * (a few milliseconds, about a megabyte) and kept: a process that never sets a password never
 * pays for it.
 */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].slice(0, COMMON_PASSWORD_COUNT).map(comparable));
  return common.has(comparable(password));
}
