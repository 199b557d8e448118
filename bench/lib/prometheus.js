'use strict';
// The service's Prometheus text (ctx.metricsUrl), read the way a scraper would.

const SCRAPE_TIMEOUT_MS = 10_000;

async function scrape(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return text;
}

/** The value of one series, its name and labels exactly as exported; NaN when absent. */
function sample(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
}

/**
 * One histogram series: { count, sum, buckets: [[upper bound, cumulative count], …] } (zeros when
 * absent). `labels` are its labels other than `le`, as exported (`kind="major"`); none by default.
 */
function histogram(text, name, labels = '') {
  const buckets = [];
  const prefix = `${name}_bucket{le="`;
  const rest = labels ? `",${labels}} ` : '"} ';
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = line.slice(prefix.length, line.indexOf('"', prefix.length));
    const after = line.slice(prefix.length + le.length);
    if (!after.startsWith(rest)) continue;
    buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), Number(after.slice(rest.length))]);
  }
  const series = (suffix) => `${name}_${suffix}${labels ? `{${labels}}` : ''}`;
  return { count: sample(text, series('count')) || 0, sum: sample(text, series('sum')) || 0, buckets };
}

/** What a histogram gained between two scrapes. */
function histogramDelta(before, after) {
  const earlier = new Map(before.buckets);
  return {
    count: after.count - before.count,
    sum: after.sum - before.sum,
    buckets: after.buckets.map(([le, n]) => [le, n - (earlier.get(le) ?? 0)]),
  };
}

/** The smallest bucket bound that holds every observation: the largest one is at most this. */
function upperBound(h) {
  const bucket = h.buckets.find(([, n]) => n >= h.count);
  return bucket ? bucket[0] : Number.NaN;
}

module.exports = { scrape, sample, histogram, histogramDelta, upperBound };
