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

/** An unlabelled histogram: { count, sum, buckets: [[upper bound, cumulative count], …] } (zeros when absent). */
function histogram(text, name) {
  const buckets = [];
  const prefix = `${name}_bucket{le="`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const [le, value] = line.slice(prefix.length).split('"} ');
    buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), Number(value)]);
  }
  return { count: sample(text, `${name}_count`) || 0, sum: sample(text, `${name}_sum`) || 0, buckets };
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
