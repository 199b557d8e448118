import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { eachEngine } from './support/engines';
import { b64, request, uniqueLogin } from './support/http';
import { spawnService, waitHealthy, within } from './support/process';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

eachEngine(__filename, (db) => {
  it('creates the embedded database private to its owner, whatever the umask', async (t) => {
    if (db().engine !== 'sqlite') return t.skip('files of the embedded database: SQLite only');
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-modes-'));
    // A folder the owner shares on purpose: it existed, so it keeps its mode.
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    const database = join(shared, 'new', 'dir', 'gatehouse.sqlite');
    const service = await spawnService({ DATABASE_URL: `sqlite:${database}` }, { umask: '000' });
    try {
      await waitHealthy(service.url);
      const reply = await request(service.url, 'POST', '/api/auth/register', {
        json: { handle: uniqueLogin('modes'), pwd: b64('secret-password') },
      });
      assert.equal(reply.status, 200);
      const files = [database, `${database}-wal`, `${database}-shm`];
      for (const file of files) assert.ok(existsSync(file), `${file} exists while the service runs`);
      assert.deepEqual(
        {
          shared: mode(shared),
          new: mode(join(shared, 'new')),
          dir: mode(join(shared, 'new', 'dir')),
          files: files.map(mode),
        },
        { shared: '0755', new: '0700', dir: '0700', files: ['0600', '0600', '0600'] },
      );
      service.child.kill('SIGTERM');
      assert.equal(await within(service.exited, 20_000, 'still running'), 0);
    } finally {
      service.kill();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('stops within 2 s after a client dropped its connection with 2,000 requests queued', async () => {
    const service = await spawnService({ DATABASE_URL: db().url });
    try {
      await waitHealthy(service.url);
      const connection = connect(service.port, '127.0.0.1');
      connection.on('error', () => undefined);
      await new Promise((resolve) => connection.once('connect', resolve));
      connection.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(2000));
      await new Promise((resolve) => setTimeout(resolve, 50));
      connection.destroy();
      // Once another client is answered, the service has caught up with what it had parsed.
      await waitHealthy(service.url);
      const signalled = performance.now();
      service.child.kill('SIGTERM');
      assert.equal(await within(service.exited, 5_000, 'still running'), 0);
      const tookMs = performance.now() - signalled;
      assert.ok(tookMs < 2_000, `the stop took ${Math.round(tookMs)} ms`);
      assert.doesNotMatch(service.output(), /in flight/);
    } finally {
      service.kill();
    }
  });
});
