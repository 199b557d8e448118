import { AuthLevel } from '../../src/auth/auth-level';
import { AuthLevelAudit } from '../../src/auth/auth-level-audit';
import { ACCEPTS_OWN_ACCESS_TOKEN } from '../../src/auth/scope';
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
  // A token-taking route also says what an access token needs: a scope, or nothing will do.
  for (const { route, level, scope, handler } of running.app.get(AuthLevelAudit).routes().sort(byPath)) {
    const access =
      scope !== undefined
        ? `scope ${scope}`
        : Reflect.getMetadata(ACCEPTS_OWN_ACCESS_TOKEN, handler) === true
          ? 'an access token only on itself'
          : 'sign-in tokens only';
    routes[route] = level === undefined ? '(none)' : level === AuthLevel.NotNeeded ? level : `${level}; ${access}`;
  }
  const socketEvents: Record<string, string[]> = {};
  const events = running.app.get(GatewayAudit).events();
  for (const namespace of [...new Set(events.map((e) => e.namespace))].sort()) {
    socketEvents[namespace] = events
      .filter((e) => e.namespace === namespace)
      .map((e) => (e.scope === undefined ? e.event : `${e.event} (scope ${e.scope})`))
      .sort();
  }
  return { routes, socketEvents };
}
