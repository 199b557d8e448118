import { Injectable, type OnApplicationBootstrap, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AUTH_LEVEL, type AuthLevel } from './auth-level';
import { REQUIRED_SCOPE } from './scope';

export interface RouteLevel {
  route: string;
  level: AuthLevel | undefined;
  /** The HTTP method and the path (Nest's spelling, `:param`), for the OpenAPI document. */
  method: string;
  path: string;
  controller: Type;
  handler: (...args: unknown[]) => unknown;
  /** The scope an access token needs (@RequireScope); undefined: sign-in tokens only. */
  scope: string | undefined;
}

/**
 * Lists every HTTP route of the application with the level it declares, and refuses to let
 * the application start while any route declares none.
 */
@Injectable()
export class AuthLevelAudit implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(): RouteLevel[] {
    const found: RouteLevel[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const level = this.reflector.getAllAndOverride<AuthLevel | undefined>(AUTH_LEVEL, [
          handler,
          metatype as (...args: unknown[]) => unknown,
        ]);
        const full = `/${[base, path]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const scope = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, [
          handler,
          metatype as (...args: unknown[]) => unknown,
        ]);
        found.push({
          route: `${method} ${full}`,
          level,
          method,
          path: full,
          controller: metatype as Type,
          handler,
          scope,
        });
      }
    }
    return found;
  }

  onApplicationBootstrap(): void {
    const undeclared = this.routes().filter((r) => r.level === undefined);
    if (undeclared.length > 0) {
      throw new Error(`routes without an @Auth level: ${undeclared.map((r) => r.route).join(', ')}`);
    }
  }
}
