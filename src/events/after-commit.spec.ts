import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { afterCommit, commitUnit, discardUnit, openUnit } from './after-commit';

Logger.overrideLogger(false);

describe('afterCommit', () => {
  it('runs the follow-ups of a committed unit in order, once, and none of a rolled-back one', () => {
    const ran: string[] = [];
    const committed = {};
    const rolledBack = {};
    openUnit(committed);
    openUnit(rolledBack);
    afterCommit(committed, () => ran.push('announce'));
    afterCommit(rolledBack, () => ran.push('never'));
    afterCommit(committed, () => ran.push('event'));
    assert.deepEqual(ran, [], 'nothing before the commit');
    discardUnit(rolledBack);
    assert.equal(commitUnit(committed), undefined, 'a few run at once');
    assert.deepEqual(ran, ['announce', 'event']);
    assert.equal(commitUnit(committed), undefined);
    assert.deepEqual(ran, ['announce', 'event']);
  });

  it('refuses a manager that no unit of writes handed out', () => {
    assert.throws(() => afterCommit({}, () => undefined), /TransactionRunner\.run/);
  });

  it('goes on past a follow-up that throws', () => {
    const unit = {};
    const ran: number[] = [];
    openUnit(unit);
    afterCommit(unit, () => {
      throw new Error('boom');
    });
    afterCommit(unit, () => ran.push(2));
    assert.equal(commitUnit(unit), undefined);
    assert.deepEqual(ran, [2]);
  });

  it('runs a long list 50 per turn of the event loop, letting other work in between', async () => {
    const unit = {};
    const turns: number[] = [];
    let turn = 0;
    openUnit(unit);
    for (let i = 0; i < 120; i++) afterCommit(unit, () => turns.push(turn));
    let stopped = false;
    const tick = (): void => {
      turn++;
      if (!stopped) setImmediate(tick);
    };
    setImmediate(tick);
    const done = commitUnit(unit);
    try {
      assert.ok(done instanceof Promise);
      await done;
    } finally {
      stopped = true;
    }
    assert.equal(turns.length, 120);
    const perTurn = [...new Set(turns)].map((t) => turns.filter((x) => x === t).length);
    assert.ok(Math.max(...perTurn) <= 50, perTurn.join(', '));
  });
});
