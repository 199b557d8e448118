/**
 * Runs in the hashing pool's worker threads: bcryptjs is pure JavaScript and would otherwise
 * block the event loop for the whole of every hash.
 */
import { hashPassword, verifyPassword } from './password-hash';

export function hash(task: { password: string; cost: number }): string {
  return hashPassword(task.password, task.cost);
}

export function verify(task: { password: string; stored: string }): boolean {
  return verifyPassword(task.password, task.stored);
}
