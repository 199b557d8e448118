'use strict';
// Small numeric helpers shared by the benchmark phases.

/** Nearest-rank percentile of an unsorted array of numbers; NaN for an empty one. */
function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function median(values) {
  return percentile(values, 50);
}

/** The median of the rounds' values with their spread: "0.97 (0.93–1.01, 5 pairs)", "12 ms (9–14, 3 rounds)". */
function spread(values, { decimals = 2, unit = 'pairs', suffix = '' } = {}) {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, text: 'NaN' };
  const m = median(finite);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const text = `${m.toFixed(decimals)}${suffix} (${min.toFixed(decimals)}–${max.toFixed(decimals)}, ${finite.length} ${unit})`;
  return { median: m, min, max, text };
}

/** A number with a fixed count of decimals and thousands separators: 12,345.6 */
function fmt(value, decimals = 0) {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { percentile, median, spread, fmt, sleep };
