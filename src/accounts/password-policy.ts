/** Longest password in bytes of UTF-8. */
export const PASSWORD_MAX_BYTES = 1024;

export type PasswordCheck = { ok: true } | { ok: false; reason: string };

/**
 * Length is counted in code points (what a person calls characters), the upper bound in
 * bytes (what the hasher reads). A lone surrogate has no UTF-8 form: it would be replaced by
 * U+FFFD and two different strings would become one password, so it is refused.
 */
export function checkPassword(password: string, minLength: number): PasswordCheck {
  if (!password.isWellFormed()) return { ok: false, reason: 'password must be valid Unicode text' };
  let length = 0;
  for (const _ of password) length++;
  if (length < minLength) {
    return { ok: false, reason: `password must be at least ${minLength} characters` };
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    return { ok: false, reason: `password must be at most ${PASSWORD_MAX_BYTES} bytes` };
  }
  return { ok: true };
}
