#!/usr/bin/env node
// Compiles the project and its tests (and builds the client library and the account page's
// script, which the specs load), checks whether MariaDB and PostgreSQL answer, then runs
// every unit spec (src/**/*.spec.ts and examples/**/*.spec.ts) and end-to-end spec (test/**/*.e2e-spec.ts) with node's test
// runner, and ends with a summary (scripts/test-summary.js): time per engine, skipped tests and why.
// The whole run (`npm test`, as CI runs it) first lints: eslint, prettier's check of the code's
// format, and the import rules of .dependency-cruiser.cjs (no cycle, folders depend one way);
// any of them failing ends the run.
// `npm test -- classic tokens` runs only the spec files whose path contains one of the words,
// without the lint checks.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const filters = process.argv.slice(2);

/** Runs the lint checks one after the other (each prints its own findings); names those that failed. */
function lint() {
  const checks = [
    ['eslint .', ['exec', '--no', '--', 'eslint', '.']],
    [
      'prettier --check . (npm run format fixes it)',
      ['exec', '--no', '--', 'prettier', '--check', '--log-level', 'warn', '.'],
    ],
    ['npm run lint:deps (the import rules)', ['run', 'lint:deps']],
  ];
  return checks
    .filter(([name, args]) => {
      const check = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
      if (check.error) console.error(`${name} could not run: ${check.error.message}`);
      return check.status !== 0;
    })
    .map(([name]) => name);
}

if (filters.length === 0) {
  const failed = lint();
  if (failed.length > 0) {
    console.error(`\nThe run stops before the specs: ${failed.join(', ')} failed (see above).`);
    process.exit(1);
  }
}

// What the specs load: the client library's build (its examples import the package), the
// account page's script (type-checked, then bundled by esbuild), then the project and its tests.
const tscBin = require.resolve('typescript/bin/tsc');
for (const args of [
  [tscBin, '-p', join(root, 'client', 'tsconfig.json')],
  [tscBin, '-p', join(root, 'src', 'account-page', 'app', 'tsconfig.json')],
  [tscBin, '-p', join(root, 'client', 'examples', 'tsconfig.json')],
  [join(__dirname, 'build-page.mjs')],
  [tscBin, '-p', join(root, 'tsconfig.json')],
]) {
  const step = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (step.status !== 0) process.exit(step.status ?? 1);
}

function find(dir, suffix, found = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, suffix, found);
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

/** The spec's TypeScript source still exists: tsc never deletes the output of a removed file. */
const hasSource = (built) => existsSync(join(root, relative(join(root, 'build'), built)).replace(/\.js$/, '.ts'));

const files = [
  ...find(join(root, 'build', 'src'), '.spec.js'),
  // The examples' own specs, as a team writes them (src/extension/testing.ts).
  ...find(join(root, 'build', 'examples'), '.spec.js'),
  ...find(join(root, 'build', 'test'), '.e2e-spec.js'),
]
  .filter(hasSource)
  .filter((f) => filters.length === 0 || filters.some((word) => relative(root, f).includes(word)))
  .sort();
if (files.length === 0) {
  console.error('no spec file matches');
  process.exit(1);
}

/**
 * The server URL if the server answers; otherwise '' (its runs are skipped with a notice), or,
 * under CI, the end of the run: there every engine is required.
 */
async function probe(engine, url, check) {
  try {
    await check(url);
    return url;
  } catch (error) {
    const why = `${engine} is not reachable at ${new URL(url).host} (${error.code ?? error.message})`;
    if (process.env.CI === 'true') {
      console.error(`${why}: under CI the ${engine} runs are required.`);
      process.exit(1);
    }
    console.log(`NOTICE: ${why}: the ${engine} runs are skipped.`);
    return '';
  }
}

async function mariadb(url) {
  const { createConnection } = require('mysql2/promise');
  const connection = await createConnection({ uri: url, connectTimeout: 3000 });
  await connection.query('SELECT 1');
  await connection.end();
}

async function postgres(url) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: `${url.replace(/\/+$/, '')}/postgres`, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

(async () => {
  const mariadbUrl = await probe('MariaDB', process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306', mariadb);
  const postgresUrl = await probe(
    'PostgreSQL',
    process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432',
    postgres,
  );
  const reporters = [
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(__dirname, 'test-summary.js')}`,
    '--test-reporter-destination=stdout',
  ];
  const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...reporters, ...files], {
    stdio: 'inherit',
    env: { ...process.env, TEST_MARIADB_URL: mariadbUrl, TEST_POSTGRES_URL: postgresUrl },
  });
  process.exit(run.status ?? 1);
})();
