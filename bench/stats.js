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

/** A number with a fixed count of decimals and thousands separators: 12,345.6 */
function fmt(value, decimals = 0) {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { percentile, median, fmt, sleep };
