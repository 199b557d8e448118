#!/usr/bin/env node
// Compiles the project and its tests, checks whether MariaDB answers, then runs every unit
// spec (src/**/*.spec.ts) and end-to-end spec (test/**/*.e2e-spec.ts) with node's test runner.
// `npm test -- classic tokens` runs only the spec files whose path contains one of the words.
'use strict';
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const filters = process.argv.slice(2);

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

function find(dir, suffix, found = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, suffix, found);
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

const files = [...find(join(root, 'build', 'src'), '.spec.js'), ...find(join(root, 'build', 'test'), '.e2e-spec.js')]
  .filter((f) => filters.length === 0 || filters.some((word) => relative(root, f).includes(word)))
  .sort();
if (files.length === 0) {
  console.error('no spec file matches');
  process.exit(1);
}

async function mariadbUrl() {
  const url = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
  const { createConnection } = require('mysql2/promise');
  try {
    const connection = await createConnection({ uri: url, connectTimeout: 3000 });
    await connection.query('SELECT 1');
    await connection.end();
    return url;
  } catch (error) {
    const why = `MariaDB is not reachable at ${new URL(url).host} (${error.code ?? error.message})`;
    if (process.env.CI === 'true') {
      console.error(`${why}: under CI the MariaDB runs are required.`);
      process.exit(1);
    }
    console.log(`NOTICE: ${why}: the MariaDB runs are skipped; only the SQLite runs will execute.`);
    return '';
  }
}

mariadbUrl().then((url) => {
  const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    env: { ...process.env, TEST_MARIADB_URL: url },
  });
  process.exit(run.status ?? 1);
});
