'use strict';
/*
 * Line charts as standalone SVG strings, for the figures BENCHMARKS.md embeds from docs/bench/.
 * GitHub shows an SVG embedded as an image with scripts, external fonts and style sheets turned
 * off, so the output is plain SVG: inline presentation attributes only, a generic system font
 * stack, a white background, every piece of text escaped. The same input always gives the same
 * string, so a rerun with equal figures leaves the files unchanged in git.
 *
 *   const svg = lineChart({
 *     title, note,                          // note: optional one-line caption under the legend
 *     x: { label, log, min }, y: { label, log, min },
 *     series: [{ name, points: [[x, y], ...] }, ...],
 *     goal: { y, label },                   // optional horizontal dashed line
 *     width: 720, height: 400,              // the defaults (also for a size under 200)
 *   });
 *   writeChart('docs/bench/tokens.svg', svg);
 *
 * Layout, for a chart W wide and H high: the plot area spans x from 72 to W - 24 and y from 40
 * to H - 84. Above it is the title; below it the x tick labels, the x axis label, the legend (one
 * row) and the note.
 * Axes: a linear axis runs from a multiple of its tick step (1, 2 or 5 × 10^k, about five steps)
 * at or below the smallest of the values and `min` (default 0) to the first multiple at or above
 * the largest value. A log axis (base 10) runs from the power of ten at or below the smallest
 * of the values and `min` (when given) to the power of ten at or above the largest; when it spans two
 * decades or less, 2 and 5 times each power of ten get a tick too. The y axis counts the goal
 * among its values.
 * A point with a non-finite coordinate (or one at or below zero on a log axis) is left out; a
 * series left without points shows as "(no data)" in the legend.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');

const DEFAULT_WIDTH = 720;
const DEFAULT_HEIGHT = 400;
const MARGIN = { top: 40, right: 24, bottom: 84, left: 72 };
/** Okabe–Ito colours, told apart under the common colour-vision deficiencies (their yellow is too pale on white). */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text for an element or attribute of the SVG. */
function escapeXml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A coordinate with at most two decimals (callers pass finite numbers only). */
function px(value) {
  return String(Math.round(value * 100) / 100 || 0);
}

/** Drops the float noise of a computed tick (0.30000000000000004 → 0.3). */
function clean(value) {
  return Number(value.toPrecision(12));
}

/** A tick value, compact: 0.05, 12.5, 1,200, 20k, 1.5M. */
function formatNumber(value) {
  const v = clean(value);
  const abs = Math.abs(v);
  if (abs >= 1e6 && Number.isInteger(clean(v / 1e5))) return `${clean(v / 1e6)}M`;
  if (abs >= 1e3 && Number.isInteger(clean(v / 1e3))) return `${clean(v / 1e3)}k`;
  return v.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** 10^k without the rounding of 10 ** k for negative k. */
const pow10 = (k) => Number(`1e${k}`);

/** 1, 2 or 5 × 10^k, the smallest at or above `raw`. */
function niceStep(raw) {
  const magnitude = pow10(Math.floor(Math.log10(raw)));
  const f = raw / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

function linearRange(lo, hi) {
  if (hi <= lo) hi = lo + Math.max(1, Math.abs(lo));
  const step = niceStep((hi - lo) / 5);
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks = [];
  for (let i = first; i <= last; i++) ticks.push(clean(i * step));
  const start = ticks[0];
  const span = ticks[ticks.length - 1] - start;
  return { ticks, fraction: (v) => (v - start) / span };
}

function logRange(lo, hi) {
  const a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.max(a + 1, Math.ceil(Math.log10(hi) - 1e-9));
  const every = Math.ceil((b - a) / 8); // at most about eight labelled decades
  b = a + every * Math.ceil((b - a) / every);
  const ticks = [];
  for (let k = a; k <= b; k += every) {
    ticks.push(pow10(k));
    if (b - a <= 2 && k < b) ticks.push(clean(2 * pow10(k)), clean(5 * pow10(k)));
  }
  return { ticks, fraction: (v) => (Math.log10(v) - a) / (b - a) };
}

/** The ticks of an axis and the mapping of a value to 0..1 along it, from the values it must show. */
function axisRange(spec, values) {
  const usable = values.filter((v) => Number.isFinite(v) && (!spec.log || v > 0));
  const min = Number.isFinite(spec.min) && (!spec.log || spec.min > 0) ? spec.min : spec.log ? undefined : 0;
  if (min !== undefined) usable.push(min);
  if (usable.length === 0) usable.push(spec.log ? 1 : 0);
  const lo = usable.reduce((m, v) => Math.min(m, v));
  const hi = usable.reduce((m, v) => Math.max(m, v));
  return spec.log ? logRange(lo, hi) : linearRange(lo, hi);
}

/** A width or height: the given one when it is a usable number, otherwise the default. */
function size(value, fallback) {
  return Number.isFinite(value) && value >= 200 ? value : fallback;
}

/** An element with its attributes (values escaped) and, optionally, text content. */
function el(name, attrs, text) {
  const list = Object.entries(attrs)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  return text === undefined ? `<${name}${list}/>` : `<${name}${list}>${escapeXml(text)}</${name}>`;
}

/**
 * Renders the chart described in the header comment; returns the SVG document as a string.
 * `options.series` may be empty; every label is optional.
 */
function lineChart(options) {
  const width = size(options.width, DEFAULT_WIDTH);
  const height = size(options.height, DEFAULT_HEIGHT);
  const xSpec = { log: Boolean(options.x?.log), min: options.x?.min };
  const ySpec = { log: Boolean(options.y?.log), min: options.y?.min };
  const plottable = (p) =>
    Array.isArray(p) &&
    Number.isFinite(p[0]) &&
    Number.isFinite(p[1]) &&
    (!xSpec.log || p[0] > 0) &&
    (!ySpec.log || p[1] > 0);
  const series = (options.series ?? []).map((s, i) => ({
    name: String(s.name ?? `series ${i + 1}`),
    color: PALETTE[i % PALETTE.length],
    points: (s.points ?? []).filter(plottable),
  }));
  const goalY = options.goal?.y;
  const goal = Number.isFinite(goalY) && (!ySpec.log || goalY > 0) ? options.goal : undefined;

  const points = series.flatMap((s) => s.points);
  const xAxis = axisRange(
    xSpec,
    points.map((p) => p[0]),
  );
  const yAxis = axisRange(ySpec, [...points.map((p) => p[1]), ...(goal ? [goal.y] : [])]);
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const toX = (v) => left + xAxis.fraction(v) * (right - left);
  const toY = (v) => bottom - yAxis.fraction(v) * (bottom - top);

  const title = String(options.title ?? '');
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
      ` font-family="${FONT}" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    el('title', {}, title),
    el('rect', { width, height, fill: '#ffffff' }),
    el('text', { x: left, y: 24, 'font-size': 16, 'font-weight': 'bold', fill: '#222222' }, title),
  ];

  out.push('<g class="x-ticks" fill="#555555" font-size="11" text-anchor="middle">');
  for (const tick of xAxis.ticks) {
    const x = px(toX(tick));
    out.push(el('line', { x1: x, x2: x, y1: top, y2: bottom, stroke: '#e6e6e6' }));
    out.push(el('text', { x, y: bottom + 18 }, formatNumber(tick)));
  }
  out.push('</g>', '<g class="y-ticks" fill="#555555" font-size="11" text-anchor="end">');
  for (const tick of yAxis.ticks) {
    const y = px(toY(tick));
    out.push(el('line', { x1: left, x2: right, y1: y, y2: y, stroke: '#e6e6e6' }));
    out.push(el('text', { x: left - 8, y: px(toY(tick) + 4) }, formatNumber(tick)));
  }
  out.push('</g>');
  out.push(el('line', { class: 'axis', x1: left, x2: right, y1: bottom, y2: bottom, stroke: '#444444' }));
  out.push(el('line', { class: 'axis', x1: left, x2: left, y1: top, y2: bottom, stroke: '#444444' }));
  const middleX = px((left + right) / 2);
  const middleY = px((top + bottom) / 2);
  out.push(
    el('text', { x: middleX, y: bottom + 38, 'text-anchor': 'middle', fill: '#222222' }, options.x?.label ?? ''),
  );
  out.push(
    el(
      'text',
      { x: 18, y: middleY, 'text-anchor': 'middle', fill: '#222222', transform: `rotate(-90 18 ${middleY})` },
      options.y?.label ?? '',
    ),
  );

  if (goal) {
    const y = px(toY(goal.y));
    out.push('<g class="goal">');
    out.push(el('line', { x1: left, x2: right, y1: y, y2: y, stroke: '#b00020', 'stroke-dasharray': '6 4' }));
    const label = goal.label ?? '';
    // Above the line, or below it when the line runs along the top of the plot area.
    const labelY = toY(goal.y) - top < 16 ? toY(goal.y) + 14 : toY(goal.y) - 5;
    out.push(el('text', { x: right - 4, y: px(labelY), 'text-anchor': 'end', fill: '#b00020' }, label));
    out.push('</g>');
  }

  for (const s of series) {
    out.push(`<g class="series" fill="${s.color}" stroke="${s.color}">`);
    const coords = s.points.map((p) => [px(toX(p[0])), px(toY(p[1]))]);
    if (coords.length > 1) {
      out.push(el('polyline', { points: coords.map((c) => c.join(',')).join(' '), fill: 'none', 'stroke-width': 2 }));
    }
    for (const [cx, cy] of coords) out.push(el('circle', { cx, cy, r: 3.5, stroke: '#ffffff' }));
    out.push('</g>');
  }

  out.push('<g class="legend" fill="#222222">');
  let lx = left;
  const ly = bottom + 60;
  for (const s of series) {
    const name = s.points.length > 0 ? s.name : `${s.name} (no data)`;
    out.push(el('line', { x1: lx, x2: lx + 18, y1: ly - 4, y2: ly - 4, stroke: s.color, 'stroke-width': 2 }));
    out.push(el('circle', { cx: lx + 9, cy: ly - 4, r: 3.5, fill: s.color }));
    out.push(el('text', { x: lx + 24, y: ly }, name));
    lx += 24 + Math.ceil(name.length * 6.5) + 18;
  }
  out.push('</g>');
  if (options.note) out.push(el('text', { x: left, y: bottom + 78, fill: '#555555', 'font-size': 11 }, options.note));
  out.push('</svg>', '');
  return out.join('\n');
}

/** Writes the SVG to `path`, creating its directory first. */
function writeChart(path, svg) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, svg);
}

module.exports = { lineChart, writeChart, formatNumber };
