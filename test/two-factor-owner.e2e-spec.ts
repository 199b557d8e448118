import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { OffsetClock } from '../src/clock/clock';
import { appPerSuite, startApp } from './support/app';
import { assertSucceeded, runCli } from './support/cli';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { startOwnerMcp } from './support/mcp';
import { closeSockets, dropped, openSocket } from './support/sockets';
import { enrol, totp } from './support/two-factor';

const TEST_TIMEOUT = { timeout: 60_000 };
const SWEEP_MS = 300;

/**
 * The owner and two-factor (CONTRACT section 18): reset-2fa from the command line and the MCP
 * server turns it off and revokes every token; a recovery code resets the password only. And a
 * code used on one instance is refused by another on the same database.
 */
eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const running = appPerSuite(db, { TOKEN_SWEEP_INTERVAL: `${SWEEP_MS / 1000}s` }, [], { clock });
  const api = client(() => running().url);
  const PASSWORD = 'secret-password';
  const owner = () => ({ DATABASE_URL: db().url, BCRYPT_COST: '4' });
  const as = (token: string) => ({ Authentication: token });
  const signIn = (login: string, otp?: string) =>
    api.post('/auth', { login, password: PASSWORD, ...(otp === undefined ? {} : { otp }) });

  afterEach(closeSockets);

  async function enrolled() {
    const user = await api.account(uniqueLogin('Owned'), PASSWORD);
    return { ...user, ...(await enrol(api, user.token, PASSWORD, clock)) };
  }

  it('reset-2fa turns the second factor off and revokes every token, from the command line', TEST_TIMEOUT, async () => {
    const user = await enrolled();
    const gone = dropped(await openSocket(running().url, user.token), 20_000);
    const run = await runCli(['reset-2fa', user.login.toUpperCase()], owner());
    const events = assertSucceeded(run);
    assert.equal(run.stdout, `two-factor sign-in of ${user.login} turned off; 1 token revoked\n`);
    assert.deepEqual(
      events.map(({ event, cause, count }) => [event, cause ?? null, count ?? null]),
      [
        ['two-factor.reset', null, null],
        ['token.revoked', 'owner', 1],
      ],
    );
    assert.deepEqual((await gone).revoked, { reason: 'revoked' });
    const token = (await signIn(user.login)).body.token;
    assert.equal((await api.get('/api/auth/me', as(token))).body.twoFactor, false);

    const again = await runCli(['reset-2fa', user.login], owner());
    assertSucceeded(again);
    assert.equal(again.stdout, `two-factor sign-in of ${user.login} was not on; 1 token revoked\n`);
    const help = await runCli(['--help'], owner());
    assert.match(help.stdout, /reset-2fa <login>/);
  });

  it('turn_off_two_factor does the same from an MCP client', TEST_TIMEOUT, async () => {
    const user = await enrolled();
    const mcp = await startOwnerMcp(owner());
    try {
      const tool = (await mcp.client.listTools()).tools.find((t) => t.name === 'turn_off_two_factor');
      assert.ok(tool);
      assert.deepEqual(Object.keys(tool.inputSchema.properties ?? {}), ['login']);
      const result = await mcp.call('turn_off_two_factor', { login: user.login });
      assert.deepEqual(result.structuredContent, { login: user.login, turnedOff: true, revoked: 1 });
      assert.equal((await mcp.call('turn_off_two_factor', { login: 'nobody-at-all' })).isError, true);
    } finally {
      await mcp.close();
    }
    assert.equal((await signIn(user.login)).status, 200);
  });

  it('a recovery code resets the password only: the second factor stays', TEST_TIMEOUT, async () => {
    const user = await enrolled();
    const issued = await runCli(['recovery-code', user.login], owner());
    const code = /recovery code of \S+: (\S+)/.exec(issued.stdout)![1];
    const recovered = await api.post('/api/auth/recover', {
      handle: user.login,
      code,
      newPwd: b64('recovered-password'),
    });
    assert.equal(recovered.status, 200, 'issued without asking for the second factor');
    const sessions = (await api.get('/api/auth/sessions', as(recovered.body.token))).body.sessions;
    assert.deepEqual(
      sessions.map((s: { method: string }) => s.method),
      ['recovery'],
    );
    assert.equal((await api.get('/api/auth/me', as(recovered.body.token))).body.twoFactor, true);
    const asked = await api.post('/auth', { login: user.login, password: 'recovered-password' });
    assert.equal(asked.body.secondFactor, 'required');
    const otp = totp(user.secret, clock.now());
    assert.equal((await api.post('/auth', { login: user.login, password: 'recovered-password', otp })).status, 200);
  });

  it('refuses on one instance a code used on another', async () => {
    const second = await startApp(db(), {}, [], { clock });
    try {
      const user = await enrolled();
      const otp = totp(user.secret, clock.now());
      assert.equal((await signIn(user.login, otp)).status, 200);
      const replayed = await client(() => second.url).post('/api/auth/login', {
        handle: user.login,
        pwd: b64(PASSWORD),
        otp,
      });
      assert.equal(replayed.status, 401);
      assert.equal(replayed.body.secondFactor, 'required');
    } finally {
      await second.close();
    }
  });
});
