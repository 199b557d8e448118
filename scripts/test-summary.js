// A reporter for node's test runner, next to the usual one: at the end of the run, how long each
// engine's suites took (the top-level `sqlite`, `mariadb` and `postgres` suites of eachEngine,
// summed over the files), and every skipped test with the reason it gave.
'use strict';

const ENGINES = ['sqlite', 'mariadb', 'postgres'];

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

module.exports = async function* summary(source) {
  const started = Date.now();
  // Names of the tests enclosing the current one, by nesting. The runner reports each file's
  // events together, so one stack serves; `file` cannot key it (a suite declared by a helper,
  // like eachEngine's, carries the helper's file).
  const stack = [];
  const engines = new Map(ENGINES.map((engine) => [engine, { ms: 0, files: 0, tests: 0, failed: 0 }]));
  let unitMs = 0;
  const skipped = [];
  const failed = [];

  for await (const { type, data } of source) {
    if (type !== 'test:start' && type !== 'test:pass' && type !== 'test:fail') continue;
    const file = data.file ?? '?';
    if (type === 'test:start') {
      stack.length = data.nesting;
      stack[data.nesting] = data.name;
      continue;
    }
    const path = [...stack.slice(0, data.nesting), data.name];
    const engine = ENGINES.includes(path[0]) ? engines.get(path[0]) : undefined;
    const where = `${file.replace(/^.*\/build\//, '')}: ${path.join(' › ')}`;
    const isSuite = data.details?.type === 'suite';
    if (data.nesting === 0 && engine && isSuite) {
      if (!data.skip) engine.ms += data.details.duration_ms ?? 0;
      engine.files += 1;
    } else if (data.nesting === 0 && !engine) {
      unitMs += data.details?.duration_ms ?? 0;
    }
    if (engine && !isSuite) {
      engine.tests += 1;
      if (type === 'test:fail') engine.failed += 1;
    }
    if (data.skip !== undefined && data.skip !== false) {
      skipped.push({ where, reason: typeof data.skip === 'string' ? data.skip : 'no reason given' });
    }
    if (type === 'test:fail' && !isSuite) failed.push(where);
  }

  const lines = ['', '── summary ─────────────────────────────────────────────'];
  lines.push(
    `wall time ${seconds(Date.now() - started)}; other suites (unit specs, engine-free e2e) ${seconds(unitMs)}`,
  );
  lines.push("time per engine (sum of each file's suite on that engine; files run two at a time):");
  for (const [name, e] of engines) {
    lines.push(
      `  ${name.padEnd(9)} ${seconds(e.ms).padStart(9)}  ${e.files} files, ${e.tests} tests, ${e.failed} failed`,
    );
  }
  const reasons = new Map();
  for (const { where, reason } of skipped) reasons.set(reason, [...(reasons.get(reason) ?? []), where]);
  lines.push(`skipped: ${skipped.length}`);
  for (const [reason, wheres] of reasons) {
    lines.push(`  ${reason} (${wheres.length}):`);
    for (const where of wheres) lines.push(`    - ${where}`);
  }
  if (failed.length > 0) {
    lines.push(`failed: ${failed.length}`);
    for (const where of failed) lines.push(`  - ${where}`);
  }
  yield `${lines.join('\n')}\n`;
};
