import type { INestApplicationContext, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditOwnerCommands } from '../audit/audit-owner-commands';
import { loadConfig } from '../config/config';
import type { EntryPoint } from '../events/security-event';
import { ownerCommandsOf, type OwnerCommandEntry } from '../extension-points/owner-command';
import { providerClassesOf } from '../extension/gatehouse-module';
import { OwnerModule } from './owner.module';
import { OwnerService } from './owner.service';

/**
 * Runs one owner command's work on the instance of the provider that declares it: how the
 * command line and the MCP server reach the services (a test hands in stand-ins).
 */
export type OwnerRunner = <T>(work: (instance: object) => Promise<T>, provider: Type) => Promise<T>;

/**
 * Every owner command: Gatehouse's (OwnerService, then the audit log's `events`) first, then
 * those of the added modules' providers, read from the classes alone (no database, no
 * configuration needed).
 */
export function ownerCommands(modules: Type[] = []): OwnerCommandEntry[] {
  const own: Type[] = [OwnerService, AuditOwnerCommands];
  return ownerCommandsOf([...own, ...providerClassesOf(modules).filter((type) => !own.includes(type))]);
}

/**
 * Boots just enough of Gatehouse for the owner's operations. The configuration is read here,
 * not at start-up, so that --help works with a broken environment.
 */
export function openOwnerContext(
  via: EntryPoint,
  logger: LoggerService | false = false,
  modules: Type[] = [],
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(OwnerModule.forRoot(loadConfig(), via, modules), {
    logger,
    // Nest would otherwise abort the process on a failed start-up, leaving no chance to explain.
    abortOnError: false,
  });
}

/**
 * The command line's runner: one command's worth of owner work, closing the context afterwards
 * (the database pool and the hashing threads would otherwise keep the process alive). The
 * command prints its own result and its own one-line reason for a failure, so Nest logs nothing.
 */
export function commandLineRunner(modules: Type[] = []): OwnerRunner {
  return async (work, provider) => {
    const context = await openOwnerContext('cli', false, modules);
    try {
      return await work(context.get(provider, { strict: false }));
    } finally {
      await context.close();
    }
  };
}
