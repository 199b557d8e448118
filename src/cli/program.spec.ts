import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException } from '@nestjs/common';
import { ConfigError } from '../config/config';
import type { Token } from '../tokens/token.entity';
import { OwnerError } from '../owner/owner-failure';
import type { OwnerService } from '../owner/owner.service';
import { type OwnerRunner, runCli } from './program';

/** Runs the command line against a stand-in for the owner service; records what it was asked. */
async function run(argv: string[], owner: Partial<OwnerService> = {}) {
  let out = '';
  let err = '';
  const calls: unknown[][] = [];
  const recording = new Proxy(owner, {
    get: (target, name) => {
      const method = target[name as keyof OwnerService] as ((...args: unknown[]) => unknown) | undefined;
      return (...args: unknown[]) => {
        calls.push([name, ...args]);
        if (!method) throw new Error(`unexpected call ${String(name)}`);
        return method(...args);
      };
    },
  }) as OwnerService;
  const runner: OwnerRunner = (work) => work(recording);
  const status = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) }, runner);
  return { status, out, err, calls };
}

describe('runCli', () => {
  it('passes the login and the chosen password to reset-password', async () => {
    const result = await run(['reset-password', 'Alice', '--password', '-starts-with-a-dash'], {
      resetPassword: async (login) => ({ login, revoked: 1 }),
    });
    assert.deepEqual(result.calls, [['resetPassword', 'Alice', '-starts-with-a-dash']]);
    assert.equal(result.status, 0);
    assert.equal(result.out, 'password of Alice replaced; 1 token revoked\n');
    assert.equal(result.err, '');
  });

  it('prints a generated password on a line of its own', async () => {
    const result = await run(['reset-password', 'bob'], {
      resetPassword: async (login, password) => ({ login, revoked: 0, generatedPassword: password ?? 'GENERATED' }),
    });
    assert.deepEqual(result.calls, [['resetPassword', 'bob', undefined]]);
    assert.equal(result.out, 'password of bob replaced; 0 tokens revoked\nnew password: GENERATED\n');
  });

  it('prints sessions by public id, as a table of ISO 8601 times ("-" for never used) and clients', async () => {
    const token = {
      id: 7,
      publicId: 'AAAAAAAAAAAAAAAAAAAAAA',
      createdAt: 0,
      lastUsedAt: null,
      expiresAt: 86_400_000,
      client: 'Firefox on Linux',
      tokenHash: 'f'.repeat(64),
    } as Token;
    const result = await run(['sessions', 'carol'], { sessions: async (login) => ({ login, sessions: [token] }) });
    assert.equal(
      result.out,
      [
        'carol: 1 live session',
        'session                 issued                    last used  expires                   client',
        'AAAAAAAAAAAAAAAAAAAAAA  1970-01-01T00:00:00.000Z  -          1970-01-02T00:00:00.000Z  Firefox on Linux',
        '',
      ].join('\n'),
    );
    assert.ok(!result.out.includes(token.tokenHash));
  });

  it('prints the recovery code, lock, unlock and deletion outcomes, one fact a line', async () => {
    const owner: Partial<OwnerService> = {
      issueRecoveryCode: async (login) => ({ login, code: 'ABCD-EFGH-IJKL-MNOP-QRST-UVWX', expiresAt: 3_600_000 }),
      lock: async (login) => ({ login, changed: login === 'new', revoked: 2 }),
      unlock: async (login) => ({ login, changed: login === 'new', revoked: 0 }),
      deleteAccount: async (login) => ({ login, revoked: 1 }),
    };
    const outputs = [
      [
        ['recovery-code', 'Ann'],
        'recovery code of Ann: ABCD-EFGH-IJKL-MNOP-QRST-UVWX\nsingle use, valid until 1970-01-01T01:00:00.000Z\n',
      ],
      [['lock', 'new'], 'new locked; 2 tokens revoked\n'],
      [['lock', 'old'], 'old was already locked; 2 tokens revoked\n'],
      [['unlock', 'new'], 'new unlocked\n'],
      [['unlock', 'old'], 'old was not locked\n'],
      [['delete-account', 'Ann'], 'account Ann deleted; 1 token revoked\n'],
    ] as const;
    for (const [argv, expected] of outputs) {
      const result = await run([...argv], owner);
      assert.equal(result.status, 0);
      assert.equal(result.out, expected);
      assert.equal(result.calls.length, 1);
    }
  });

  it('does not touch the database for bad arguments, and says what is wrong in one line', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^gatehouse: missing command; run with --help to list the commands\n$/],
      [['nope'], /^gatehouse: unknown command 'nope'\n$/],
      [['reset-passwd', 'x'], /^gatehouse: unknown command 'reset-passwd' \(Did you mean reset-password\?\)\n$/],
      [['revoke-tokens'], /^gatehouse: missing required argument 'login'\n$/],
      [['sessions', 'a', 'b'], /^gatehouse: too many arguments for 'sessions'.*\n$/],
      [['lock'], /^gatehouse: missing required argument 'login'\n$/],
      [['delete-account', 'a', 'b'], /^gatehouse: too many arguments for 'delete-account'.*\n$/],
      [['reset-password', 'a', '--pasword', 'x'], /^gatehouse: unknown option '--pasword'.*\n$/],
    ];
    for (const [argv, expected] of cases) {
      const result = await run(argv);
      assert.equal(result.status, 2, argv.join(' '));
      assert.match(result.err, expected);
      assert.equal(result.out, '');
      assert.deepEqual(result.calls, []);
    }
  });

  it('exits 0 with the help on stdout for --help and help', async () => {
    for (const argv of [['--help'], ['help'], ['help', 'reset-password'], ['revoke-tokens', '--help']]) {
      const result = await run(argv);
      assert.equal(result.status, 0, argv.join(' '));
      assert.match(result.out, /Usage: gatehouse/);
      assert.equal(result.err, '');
    }
  });

  it('maps failures to one line and an exit status', async () => {
    const failWith = (error: unknown) =>
      run(['revoke-tokens', 'dave'], { revokeTokens: async () => Promise.reject(error) });
    const cases: [unknown, number, string][] = [
      [new OwnerError('no account with login "dave"'), 1, 'gatehouse: no account with login "dave"\n'],
      [
        new ConfigError('PORT must be a whole number'),
        2,
        'gatehouse: invalid configuration: PORT must be a whole number\n',
      ],
      [
        new BadRequestException('password must be at least 6 characters'),
        2,
        'gatehouse: password must be at least 6 characters\n',
      ],
      [
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        1,
        'gatehouse: database unavailable (connect ECONNREFUSED 127.0.0.1:1); nothing was changed\n',
      ],
      [
        Object.assign(new Error('boom\nwith details'), { code: 'ER_SIGNAL_EXCEPTION' }),
        1,
        'gatehouse: failed (ER_SIGNAL_EXCEPTION: boom); nothing was changed\n',
      ],
      ['a string', 1, 'gatehouse: failed (unknown error); nothing was changed\n'],
    ];
    for (const [error, status, line] of cases) {
      const result = await failWith(error);
      assert.equal(result.status, status);
      assert.equal(result.err, line);
      assert.equal(result.out, '');
    }
  });
});
