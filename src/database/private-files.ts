import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Folders Gatehouse creates: the owner alone may list, enter or change them. */
export const PRIVATE_FOLDER_MODE = 0o700;
/** Files Gatehouse creates: the owner alone may read or write them. */
export const PRIVATE_FILE_MODE = 0o600;

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

/**
 * Creates `path` and every missing folder above it, each 0700 whatever the umask (the mode given
 * to mkdir only has bits taken away by it, so it is set again). Folders that already exist are
 * left as they are: their owner chose their mode.
 */
export function createPrivateFolder(path: string): void {
  const missing: string[] = [];
  for (let folder = resolve(path); !existsSync(folder); folder = dirname(folder)) {
    missing.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode: PRIVATE_FOLDER_MODE });
    } catch (error) {
      // Another process created it meanwhile: then it is not ours to change.
      if (isCode(error, 'EEXIST')) continue;
      throw error;
    }
    chmodSync(folder, PRIVATE_FOLDER_MODE);
  }
}

/**
 * Creates the file with `contents` (empty by default), 0600 whatever the umask, and returns
 * true; returns false, touching nothing, when it exists already. Creation is exclusive, so of
 * two processes racing to create it exactly one does (the other may then see it before its
 * contents are written).
 */
export function createPrivateFile(path: string, contents: string | Buffer = ''): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    if (contents.length > 0) writeFileSync(fd, contents);
  } finally {
    closeSync(fd);
  }
  return true;
}
