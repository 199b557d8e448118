import { AuthLevelAudit } from '../../src/auth/auth-level-audit';
import { GatewayAudit } from '../../src/realtime/gateway-audit';
import type { RunningApp } from './app';

/**
 * What a client can reach: every HTTP route with its level, every socket event by namespace.
 * Sorted, one entry a line once written as JSON, so that a change of level reads in review as a
 * one-line change of test/surface.snapshot.json.
 */
export interface Surface {
  routes: Record<string, string>;
  socketEvents: Record<string, string[]>;
}

export function surfaceOf(running: RunningApp): Surface {
  const routes: Record<string, string> = {};
  const byPath = (a: { route: string }, b: { route: string }) =>
    a.route.replace(/^\S+ /, '').localeCompare(b.route.replace(/^\S+ /, '')) || a.route.localeCompare(b.route);
  for (const { route, level } of running.app.get(AuthLevelAudit).routes().sort(byPath))
    routes[route] = level ?? '(none)';
  const socketEvents: Record<string, string[]> = {};
  const events = running.app.get(GatewayAudit).events();
  for (const namespace of [...new Set(events.map((e) => e.namespace))].sort()) {
    socketEvents[namespace] = events
      .filter((e) => e.namespace === namespace)
      .map((e) => e.event)
      .sort();
  }
  return { routes, socketEvents };
}
