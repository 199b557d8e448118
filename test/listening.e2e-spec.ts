import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { eachEngine } from './support/engines';
import { request } from './support/http';
import { freePort, spawnService, type ServiceProcess, waitHealthy, within } from './support/process';

/** A taken port must be reported at once, not after the database and the migrations. */
const FAILS_WITHIN_MS = 5_000;
/** An address of this machine other than 127.0.0.1 (any of 127.0.0.0/8 works on Linux). */
const OTHER_LOOPBACK = '127.0.0.2';

function listen(port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** The status of GET url, or the error code when nothing answers. */
async function statusOf(url: string): Promise<number | string> {
  try {
    return (await request(url, 'GET', '')).status;
  } catch (error) {
    return String((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
  }
}

/** The service as `npm start` runs it: HOST, PORT (a taken one), METRICS_PORT. */
eachEngine(__filename, (db) => {
  it('fails at once with one line when PORT is taken, before touching the database', async () => {
    const blocker = await listen(0);
    const port = (blocker.address() as { port: number }).port;
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-port-'));
    const sqlite = `sqlite:${join(folder, 'never.sqlite')}`;
    const started = Date.now();
    const service = await spawnService({
      DATABASE_URL: db().url.startsWith('sqlite:') ? sqlite : db().url,
      PORT: String(port),
    });
    try {
      const code = await within(service.exited, FAILS_WITHIN_MS * 3, 'still running');
      assert.equal(code, 1, service.output());
      assert.ok(Date.now() - started < FAILS_WITHIN_MS, `took ${Date.now() - started} ms`);
      const lines = service
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      assert.deepEqual(lines, [`gatehouse: cannot start: PORT ${port} is already in use`]);
      assert.equal(existsSync(join(folder, 'never.sqlite')), false, 'the database was opened');
    } finally {
      service.kill();
      blocker.close();
    }
  });

  it('fails the same way when METRICS_PORT is taken', async () => {
    const blocker = await listen(0);
    const metricsPort = (blocker.address() as { port: number }).port;
    const service = await spawnService({ DATABASE_URL: db().url, METRICS_PORT: String(metricsPort) });
    try {
      assert.equal(await within(service.exited, FAILS_WITHIN_MS * 3, 'still running'), 1, service.output());
      assert.equal(service.output().trim(), `gatehouse: cannot start: METRICS_PORT ${metricsPort} is already in use`);
    } finally {
      service.kill();
      blocker.close();
    }
  });

  onHost(db);
});

/** HOST: both listeners on that address only; /metrics only on METRICS_PORT. */
function onHost(db: () => { url: string }): void {
  let service: ServiceProcess;
  let metricsPort: number;

  before(async () => {
    metricsPort = await freePort();
    service = await spawnService({ DATABASE_URL: db().url, HOST: OTHER_LOOPBACK, METRICS_PORT: String(metricsPort) });
    await waitHealthy(`http://${OTHER_LOOPBACK}:${service.port}`);
  });
  after(async () => {
    service?.kill();
    await service?.exited;
  });

  it('listens on HOST only, PORT and METRICS_PORT alike', async () => {
    assert.equal(await statusOf(`http://${OTHER_LOOPBACK}:${service.port}/health`), 200);
    assert.equal(await statusOf(`http://127.0.0.1:${service.port}/health`), 'ECONNREFUSED');
    assert.equal(await statusOf(`http://${OTHER_LOOPBACK}:${metricsPort}/metrics`), 200);
    assert.equal(await statusOf(`http://127.0.0.1:${metricsPort}/metrics`), 'ECONNREFUSED');
    assert.match(service.output(), /"listening on 127\.0\.0\.2, port \d+"/);
  });

  it('serves the metrics in the Prometheus text format on METRICS_PORT, and not on PORT', async () => {
    const metrics = await request(`http://${OTHER_LOOPBACK}:${metricsPort}`, 'GET', '/metrics');
    assert.match(metrics.text, /^gatehouse_database_up 1$/m);
    assert.match(
      metrics.text,
      /^gatehouse_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+$/m,
    );
    assert.equal((await request(`http://${OTHER_LOOPBACK}:${service.port}`, 'GET', '/metrics')).status, 404);
  });
}
