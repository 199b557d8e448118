import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TEST_SECRETS_KEY } from './support/app';
import { eachEngine } from './support/engines';
import { b64, request, uniqueLogin } from './support/http';
import { type ServiceProcess, spawnService, waitHealthy, within } from './support/process';
import { STEP_MS, totp } from './support/two-factor';

const TEST_TIMEOUT = { timeout: 90_000 };
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

async function stopped(service: ServiceProcess): Promise<void> {
  service.child.kill('SIGTERM');
  assert.equal(await within(service.exited, 20_000, 'still running'), 0);
}

describe('a SECRETS_KEY that is not the Base64 of 32 bytes', () => {
  it('stops the server with one line that does not echo it', TEST_TIMEOUT, async () => {
    const service = await spawnService({ DATABASE_URL: 'sqlite::memory:', SECRETS_KEY: 'hunter2-is-no-key' });
    try {
      assert.equal(await within(service.exited, 20_000, 'still running'), 1);
      assert.equal(
        service.output(),
        'gatehouse: invalid configuration: SECRETS_KEY must be the Base64 of exactly 32 bytes (e.g. openssl rand -base64 32)\n',
      );
    } finally {
      service.kill();
    }
  });
});

/**
 * The secrets key of CONTRACT section 18, in real processes: generated on the first start into
 * SECRETS_KEY_FILE (0600 in a 0700 folder, whatever the umask) and reused by the next start; a
 * start with a key that cannot decrypt the stored secrets stops with one line.
 */
eachEngine(__filename, (db) => {
  it(
    'generates the key once, keeps it private, and stops a start whose key cannot read the secrets',
    TEST_TIMEOUT,
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'gatehouse-key-'));
      const file = join(root, 'keys', 'secrets.key');
      const env = { DATABASE_URL: db().url, SECRETS_KEY_FILE: file };
      const login = uniqueLogin('Keyed');
      const pwd = b64('secret-password');
      let service = await spawnService(env, { umask: '000' });
      try {
        await waitHealthy(service.url);
        assert.deepEqual([mode(join(root, 'keys')), mode(file)], ['0700', '0600']);
        const key = readFileSync(file, 'utf8');
        assert.equal(Buffer.from(key.trim(), 'base64').length, 32);
        const { token } = (await request(service.url, 'POST', '/api/auth/register', { json: { handle: login, pwd } }))
          .body;
        const headers = { Authentication: token };
        const setup = await request(service.url, 'POST', '/api/auth/2fa/setup', { json: { pwd }, headers });
        const code = totp(setup.body.secret, Date.now());
        const enabled = await request(service.url, 'POST', '/api/auth/2fa/enable', { json: { code }, headers });
        assert.equal(enabled.status, 200);
        await stopped(service);

        service = await spawnService(env);
        await waitHealthy(service.url);
        assert.equal(readFileSync(file, 'utf8'), key, 'the key is kept');
        // The next step's code: the one just used is spent.
        const otp = totp(setup.body.secret, Date.now() + STEP_MS);
        const signedIn = await request(service.url, 'POST', '/api/auth/login', { json: { handle: login, pwd, otp } });
        assert.equal(signedIn.status, 200, signedIn.text);
        await stopped(service);

        service = await spawnService({ ...env, SECRETS_KEY: TEST_SECRETS_KEY });
        assert.equal(await within(service.exited, 30_000, 'still running'), 1);
        const lines = service.output().split('\n');
        const refusal = lines.filter((line) => line.startsWith('gatehouse:'));
        assert.deepEqual(refusal, [
          'gatehouse: cannot start: SECRETS_KEY does not decrypt the stored two-factor secrets: start with the key they were stored under (SECRETS_KEY, or the file SECRETS_KEY_FILE names)',
        ]);
        assert.ok(!service.output().includes(key.trim()));
      } finally {
        service.kill();
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
});
