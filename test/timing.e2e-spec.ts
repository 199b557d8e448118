import assert from 'node:assert/strict';
import { it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';

const ROUNDS = 16;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

eachEngine(__filename, (db) => {
  // The default cost: a hash takes tens of milliseconds, far above the noise of a round trip.
  const running = appPerSuite(db, { BCRYPT_COST: '10' });
  const api = client(() => running().url);

  it('takes as long to refuse an unknown login as a wrong password (one hash each)', async () => {
    const { login } = await api.account(uniqueLogin('timed'), 'the-right-password');
    const time = async (path: string, body: unknown) => {
      const started = process.hrtime.bigint();
      const reply = await api.post(path, body);
      assert.equal(reply.status, 401);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    const hashOnly: number[] = [];
    // Interleaved, so that whatever else the machine does weighs on both kinds alike.
    for (let i = 0; i < ROUNDS; i++) {
      wrong.push(await time('/auth', { login, password: `wrong-password-${i}` }));
      unknown.push(await time('/auth', { login: uniqueLogin('nobody'), password: `wrong-password-${i}` }));
      wrong.push(await time('/api/auth/login', { handle: login, pwd: b64(`wrong-password-${i}`) }));
      unknown.push(await time('/api/auth/login', { handle: uniqueLogin('nobody'), pwd: b64(`wrong-password-${i}`) }));
    }
    // A request that spends no hash at all, for scale: the two kinds must both pay one.
    for (let i = 0; i < ROUNDS; i++) {
      const started = process.hrtime.bigint();
      assert.equal((await api.post('/auth', { login, password: 7 })).status, 400);
      hashOnly.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const ratio = median(unknown) / median(wrong);
    const detail = `unknown ${median(unknown).toFixed(1)} ms, wrong ${median(wrong).toFixed(1)} ms, no hash ${median(hashOnly).toFixed(1)} ms`;
    assert.ok(median(wrong) > 3 * median(hashOnly), `a wrong password spends a hash (${detail})`);
    assert.ok(ratio > 0.8 && ratio < 1.25, `ratio ${ratio.toFixed(2)} (${detail})`);
  });
});
