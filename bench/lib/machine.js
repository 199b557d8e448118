'use strict';
// What a run's figures were taken on: the date, the machine, the versions and the settings.
const os = require('node:os');
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

/** The installed version of a package, read from its package.json (or "?"). */
function installed(root, name) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

async function serverVersion(db) {
  try {
    const rows = await db.sql(db.engine === 'postgres' ? 'SHOW server_version' : 'SELECT VERSION() AS v', [], 10_000);
    return String(rows[0]?.v ?? rows[0]?.server_version ?? '?');
  } catch {
    return '?';
  }
}

/** The lines above the table. */
async function machineHeader(run, { smoke, soakMinutes }) {
  const { ctx } = run;
  const cpus = os.cpus();
  const packages = ['@nestjs/core', 'typeorm', 'socket.io', ctx.engine === 'postgres' ? 'pg' : 'mysql2', 'bcryptjs']
    .map((name) => `${name} ${installed(ctx.root, name)}`)
    .join(', ');
  const kind = soakMinutes === null ? 'benchmark' : `soak of ${soakMinutes} minutes`;
  const [load1] = os.loadavg();
  return [
    `Gatehouse ${kind}${smoke ? ' (SMOKE RUN: phases are tiny, the figures mean nothing)' : ''}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- machine: ${cpus.length} cores (${cpus[0]?.model?.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, load average ${load1.toFixed(1)} at the end, open-file limit ${ctx.openFiles}`,
    `- versions: Node ${process.version}, ${ctx.engine === 'postgres' ? 'PostgreSQL' : 'MariaDB'} ${await serverVersion(ctx.db)}, ${packages}`,
    `- service: ${relative(ctx.root, ctx.entry)}, BCRYPT_COST ${ctx.cost}, sign-in limits off (socket event rate and refused-token limit at their defaults); load from the benchmark process on 127.0.0.1 (the floods phase's flooder from 127.0.0.2)`,
  ];
}

module.exports = { machineHeader };
