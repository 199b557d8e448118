import { Agent, request } from 'node:http';

export interface ProbeFigures {
  /** Requests answered 200. */
  count: number;
  /** Requests that failed, timed out or answered anything else. */
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * GET /health at an even `rate` per second, each request sent on time whether or not the ones
 * before it have answered, until `until` settles (or `maxSeconds` pass): how another client fares
 * while something floods the service. Latencies in milliseconds, from sending to the end of the
 * answer.
 */
export async function healthDuring(
  base: string,
  until: Promise<unknown>,
  { rate, maxSeconds }: { rate: number; maxSeconds: number },
): Promise<ProbeFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const latencies: number[] = [];
  let failed = 0;
  let done = false;
  void until.finally(() => (done = true));
  const one = () =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const req = request(`${base}/health`, { agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - sent);
          else failed++;
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; !done && performance.now() - started < maxSeconds * 1000; i++) {
    pending.push(one());
    const next = started + ((i + 1) * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((x, y) => x - y);
  const at = (p: number) =>
    latencies.length === 0
      ? Number.NaN
      : Math.round(latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]);
  return { count: latencies.length, failed, p50: at(50), p99: at(99), max: at(100) };
}
