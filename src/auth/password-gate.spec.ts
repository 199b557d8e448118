import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { DomainError } from '../errors/domain-error';
import type { SecurityEventInput } from '../events/security-event';
import type { SecurityEvents } from '../events/security-events';
import { MemoryLoginFailureStore } from '../limits/login-failure.store';
import { RefusedAttempt, SignInLimiter } from '../limits/sign-in-limiter';
import { PasswordGate } from './password-gate';

/** A gate over an in-memory failure count of at most `max`, recording its events. */
function gate(max = 2) {
  const clock = new Clock();
  const limiter = new SignInLimiter(new MemoryLoginFailureStore(clock), clock, { loginMaxFailures: max } as AppConfig);
  const recorded: SecurityEventInput[] = [];
  const events = { record: (input: SecurityEventInput) => recorded.push(input) } as unknown as SecurityEvents;
  return { gate: new PasswordGate(limiter, events), recorded };
}

const attempt = { accountKey: 'alice', login: 'alice', accountId: 1, address: '127.0.0.1' };
const refuse = (counts: boolean) => async (): Promise<never> => {
  throw new RefusedAttempt(
    new DomainError('unauthenticated', '', { fields: { secondFactor: 'required' } }),
    counts,
    'second-factor',
  );
};

describe('PasswordGate with a sign-in step', () => {
  it("answers a step's refusal with its error; one that counts is a failed sign-in with its stage", async () => {
    const { gate: checked, recorded } = gate();
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        checked.check(attempt, refuse(true)),
        (error: DomainError) => error.fields.secondFactor === 'required',
      );
    assert.deepEqual(
      recorded.map((e) => [e.event, e.stage]),
      [
        ['sign-in.failed', 'second-factor'],
        ['sign-in.failed', 'second-factor'],
      ],
    );
    await assert.rejects(
      checked.check(attempt, async () => ({ ok: true })),
      (error: DomainError) => error.kind === 'too-many',
    );
    assert.equal(recorded.at(-1)?.event, 'sign-in.locked-out');
  });

  it('takes back a refusal that does not count, and writes nothing for it', async () => {
    const { gate: checked, recorded } = gate();
    for (let i = 0; i < 5; i++) await assert.rejects(checked.check(attempt, refuse(false)), DomainError);
    assert.deepEqual(recorded, []);
    assert.deepEqual(await checked.check(attempt, async () => ({ ok: true })), { ok: true });
  });
});
