'use strict';
/*
 * The benchmark's table: one row per figure, filled in by the phases, printed as Markdown and
 * written into BENCHMARKS.md between two markers per engine (the rest of the file is left as
 * it is), with the charts the phases drew written as SVG files beside it.
 */
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

class Table {
  /** `rows`: { key, figure, goal } in the order they are printed. */
  constructor(rows) {
    this.rows = rows.map((r) => ({ ...r }));
    this.charts = [];
  }

  row(key) {
    const found = this.rows.find((r) => r.key === key);
    if (!found) throw new Error(`no row "${key}" in the table`);
    return found;
  }

  /** A measured figure; `met` is true, false, or null when the figure has no goal to meet. */
  record(key, value, met, notes = []) {
    Object.assign(this.row(key), { value, met: met === null ? '-' : met ? 'yes' : 'no', notes });
  }

  /** A phase that did not run, or failed before its figure was taken. */
  mark(keys, value, met = '-') {
    for (const key of keys) if (this.row(key).value === undefined) Object.assign(this.row(key), { value, met });
  }

  /** A chart for the results: `file` is its name (no folder), `svg` its text, `title` its caption. */
  chart(file, title, svg) {
    this.charts.push({ file, title, svg });
  }

  /** The header lines, the table, then every note under the figure it belongs to. */
  markdown(header) {
    const lines = [...header, '', '| figure | value | goal | met |', '|---|---|---|---|'];
    for (const r of this.rows) lines.push(`| ${r.figure} | ${r.value ?? 'not run'} | ${r.goal} | ${r.met ?? '-'} |`);
    lines.push('');
    for (const r of this.rows) for (const note of r.notes ?? []) lines.push(`- ${r.figure}: ${note}`);
    return lines;
  }

  /**
   * Writes the table and the charts into `file` between the lines `<!-- bench:<section>:start -->`
   * and `<!-- bench:<section>:end -->` (appended at the end the first time), and the SVG files into
   * `chartDir`; the Markdown links them relative to `file`.
   */
  write(file, chartDir, section, header) {
    mkdirSync(chartDir, { recursive: true });
    const lines = this.markdown(header);
    for (const c of this.charts) {
      const path = join(chartDir, c.file);
      writeFileSync(path, c.svg);
      lines.push('', `![${c.title}](${relative(dirname(file), path)})`);
    }
    const start = `<!-- bench:${section}:start -->`;
    const end = `<!-- bench:${section}:end -->`;
    const block = [start, ...lines, end].join('\n');
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
    // A marker counts only on a line of its own: the prose around may name it.
    const existing = text.split('\n');
    const from = existing.indexOf(start);
    const to = existing.indexOf(end, from + 1);
    const next =
      from !== -1 && to > from
        ? [...existing.slice(0, from), block, ...existing.slice(to + 1)].join('\n')
        : `${text.replace(/\n*$/, '\n')}\n${block}\n`;
    writeFileSync(file, next);
  }
}

module.exports = { Table };
