import { setImmediate as nextTurn } from 'node:timers/promises';
import { Logger } from '@nestjs/common';

/** Something to do once a unit of writes has committed: announce a revocation, write an event. */
export type AfterCommitCallback = () => void;

/**
 * Follow-ups run in one turn of the event loop; a bigger unit (a sweep's batch, one event per
 * account) lets other work in between every so many.
 */
const PER_TURN = 50;

const logger = new Logger('Transactions');

/**
 * The follow-ups of each unit of writes TransactionRunner.run has open, by the unit's manager
 * (each transaction has an EntityManager of its own). Kept here, below the database folder, so
 * that the security events (this folder) can wait for a commit without depending upward.
 */
const open = new WeakMap<object, AfterCommitCallback[]>();

/**
 * Runs `callback` once the unit of writes that `manager` belongs to has committed; never if it
 * rolls back. A callback that throws is logged and fails nothing. Throws for a manager that
 * TransactionRunner.run did not hand out: a write outside a unit has no commit to wait for.
 */
export function afterCommit(manager: object, callback: AfterCommitCallback): void {
  const callbacks = open.get(manager);
  if (!callbacks) throw new Error('afterCommit needs the manager that TransactionRunner.run handed over');
  callbacks.push(callback);
}

/** Called by TransactionRunner as a unit starts. */
export function openUnit(manager: object): void {
  open.set(manager, []);
}

/** Called by TransactionRunner as a unit rolls back: its follow-ups never run. */
export function discardUnit(manager: object): void {
  open.delete(manager);
}

/**
 * Called by TransactionRunner once a unit has committed: runs its follow-ups, in the order they
 * were registered, before run() resolves (so that a request answers after its revocations were
 * announced). Returns a promise only when they take more than one turn.
 */
export function commitUnit(manager: object): Promise<void> | undefined {
  const callbacks = open.get(manager);
  open.delete(manager);
  if (!callbacks || callbacks.length === 0) return undefined;
  if (callbacks.length <= PER_TURN) {
    callbacks.forEach(runSafely);
    return undefined;
  }
  return (async () => {
    for (let i = 0; i < callbacks.length; i += PER_TURN) {
      if (i > 0) await nextTurn();
      callbacks.slice(i, i + PER_TURN).forEach(runSafely);
    }
  })();
}

function runSafely(callback: AfterCommitCallback): void {
  try {
    callback();
  } catch (error) {
    logger.error(`a follow-up of a committed transaction failed: ${(error as Error).message}`);
  }
}
