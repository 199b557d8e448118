'use strict';
/*
 * One benchmark run's surroundings: its own database (dropped and created afresh, dropped again
 * at the end), the service under test on a free port, a few accounts and their tokens, and the
 * context the phases work with. The service is stopped and the database dropped on every way
 * out: normal end, an unexpected service exit, SIGINT/SIGTERM, and the run's own time limit.
 */
const os = require('node:os');
const { randomBytes } = require('node:crypto');
const { join, relative } = require('node:path');
const { BenchDatabase } = require('./mariadb');
const { PgBenchDatabase } = require('./postgres');
const { Api, agent, signInStorm } = require('./http-load');
const { closeAll } = require('./sockets');
const { cpuSample } = require('./cpu');
const { Profiler } = require('./profiler');
const { ServiceProcess, describeExit, freePort, raiseOpenFileLimit, serviceEntry } = require('./service');
const { sleep } = require('./stats');

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

let service = null;
let database = null;
let profiler = null;
let cleaning = null;

function cleanup() {
  cleaning ??= (async () => {
    closeAll();
    if (service) {
      if (profiler) await profiler.finish(service);
      await service.stop();
    }
    agent.destroy();
    if (database && process.env.BENCH_KEEP_DATABASE !== '1') {
      await Promise.race([database.drop(), sleep(10_000)]).catch((error) =>
        log(`could not drop ${database.name}: ${error.message}`),
      );
    }
  })();
  return cleaning;
}

/** Cleans up, then leaves with `code`. */
function exitAfterCleanup(code) {
  cleanup()
    .catch((error) => log(`cleanup failed: ${error.message}`))
    .finally(() => process.exit(code));
}

process.on('SIGINT', () => {
  log('interrupted: stopping the service');
  exitAfterCleanup(130);
});
process.on('SIGTERM', () => exitAfterCleanup(143));
process.on('exit', () => service?.killNow());

function openDatabase(engine, name) {
  return engine.label === 'PostgreSQL'
    ? new PgBenchDatabase(engine.server, name)
    : new BenchDatabase(engine.server, name);
}

/** The service's database URL: mariadb:// selects TypeORM's MariaDB dialect (src/config/config.ts). */
const serviceUrl = (db) => (db.engine === 'mariadb' ? db.url.replace(/^mysql:/, 'mariadb:') : db.url);

const randomPassword = () => randomBytes(12).toString('base64url');

/** Starts everything; resolves to { ctx, service, database, exit(code) }, or leaves the process on failure. */
async function startRun({ root, engine, smoke, limitMinutes }) {
  const entry = serviceEntry(root);
  if (!entry) {
    const wanted = process.env.BENCH_SERVICE_ENTRY || join(root, 'dist', 'main.js');
    console.error(`bench: ${relative(process.cwd(), wanted) || wanted} not found: run \`npm run build\` first`);
    process.exit(1);
  }
  const watchdog = setTimeout(() => {
    log(`the run exceeded ${limitMinutes} minutes: stopping`);
    exitAfterCleanup(1);
  }, limitMinutes * 60_000);
  watchdog.unref();
  // Tens of thousands of sockets need as many descriptors here and in the service (which inherits this).
  const openFiles = raiseOpenFileLimit(65_536);

  const cost = Number(process.env.BCRYPT_COST || 10);
  database = openDatabase(engine, process.env.BENCH_DATABASE || 'gatehouse_bench');
  try {
    await database.recreate();
  } catch (error) {
    database = null;
    console.error(
      `bench: ${engine.label} at ${new URL(engine.server).host} is not usable (${error.code ?? error.message})`,
    );
    process.exit(1);
  }

  const port = await freePort();
  const metricsPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const nodeArgs = [];
  const env = {
    ...process.env,
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    DATABASE_URL: serviceUrl(database),
    RATE_LIMIT_PER_MINUTE: '0',
    LOGIN_MAX_FAILURES: '1000000',
    // The introspection phase sends tens of thousands a second with one caller token.
    INTROSPECTION_PER_MINUTE: '0',
    BCRYPT_COST: String(cost),
    CORS_ORIGINS: '',
    TRUST_PROXY: '',
    // A key of the run's own: the service would otherwise write one into data/ of the project.
    SECRETS_KEY: randomBytes(32).toString('base64'),
    // The audit log is on, as by default: every sign-in's outcome is stored.
    AUDIT_RETENTION: '90d',
  };
  profiler = new Profiler(log);
  profiler.prepare(nodeArgs, env);
  service = new ServiceProcess({ entry, cwd: root, env, nodeArgs, logFile: process.env.BENCH_SERVICE_LOG });
  service.onUnexpectedExit = (exited) => {
    console.error(
      `bench: the service exited unexpectedly (${describeExit(exited)}); its last output:\n${service.tail.join('\n')}`,
    );
    exitAfterCleanup(1);
  };
  log(
    `starting ${relative(root, entry)} on port ${port}, database ${database.name}, BCRYPT_COST ${cost}${smoke ? ' (smoke run)' : ''}`,
  );
  service.start();
  try {
    await service.waitReady(baseUrl);
  } catch (error) {
    console.error(`bench: ${error.message}; the service's last output:\n${service.tail.join('\n')}`);
    exitAfterCleanup(1);
    return new Promise(() => undefined); // the process is leaving
  }

  const api = new Api(baseUrl);
  const stamp = Date.now().toString(36);
  const accounts = [];
  let hotToken;
  // A few accounts, so that sign-ins do not all read one row; the first one's token is the hot token.
  for (let i = 0; i < (smoke ? 2 : 4); i++) {
    const account = { handle: `bench_${stamp}_${i}`, password: randomPassword() };
    const token = await api.register(account.handle, account.password);
    if (i === 0) hotToken = token;
    accounts.push(account);
  }
  const tokens = [];
  const seen = new Set();
  const ctx = {
    api,
    baseUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    root,
    entry,
    smoke,
    engine: database.engine,
    /** What a further instance of the service is started with (the two-instance phase). */
    serviceEnv: env,
    db: database,
    service,
    cost,
    cores: os.availableParallelism(),
    openFiles,
    accounts,
    hotToken,
    tokens,
    log,
    cpu: () => cpuSample(service.pid),
    /** Runs the measured part of a phase, under the CPU profiler when BENCH_CPU_PROFILE_PHASE names the phase. */
    measured: (fn) => profiler.around(service, ctx.phase, fn),
    addToken: (token) => {
      if (!seen.has(token)) {
        seen.add(token);
        tokens.push(token);
      }
    },
    /** At least `n` distinct tokens in `tokens`: signs in for more when the pool is short. */
    ensureTokens: async (n) => {
      if (tokens.length >= n) return;
      const deadline = Date.now() + 120_000;
      log(`signing in for ${n - tokens.length} more tokens`);
      const storm = await signInStorm(api, {
        accounts,
        concurrency: 4 * ctx.cores,
        maxCount: n - tokens.length,
        keepGoing: () => Date.now() < deadline,
        onToken: ctx.addToken,
      });
      if (tokens.length < n) {
        throw new Error(
          `only ${tokens.length} of ${n} tokens could be issued (${storm.busy} busy, ${storm.failed} failed: ${storm.failures.join('; ')})`,
        );
      }
    },
  };
  return { ctx, service, database, exit: exitAfterCleanup };
}

module.exports = { startRun, exitAfterCleanup };
