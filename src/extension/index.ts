/**
 * What a module added to Gatehouse may use, and all it may use: everything else under src/ is
 * internal and changes without notice. See "Extending Gatehouse" in README.md and the examples
 * in examples/. The testing helper has an entry of its own: src/extension/testing.ts.
 */

// Routes: one level per route, read by Gatehouse's guard; a route without one stops the start.
export { Auth, AuthLevel } from '../auth/auth-level';
// Access tokens: the scope a route or socket event needs; a route without one takes sign-in tokens only.
export { RequireScope } from '../auth/scope';
// Errors: Birdhouse shape unless a controller says @Dialect('classic') (README, "Extending Gatehouse").
export { Dialect, type DialectName } from '../http/dialect';
// A status particular to a route, for the OpenAPI document.
export { Fails } from '../http/api-errors';
export { CurrentSession } from '../auth/current-session.decorator';
export type { Session } from '../tokens/session';
// Failures in the service's own terms, answered in the route's dialect, the CLI's exit status or an MCP isError.
export { DomainError, type DomainErrorKind, type DomainErrorOptions } from '../errors/domain-error';

// Socket events: the gateway decorator (handshake check, error shape), the session, the rooms.
export { GatehouseGateway, type GatehouseGatewayOptions } from '../realtime/gatehouse-gateway';
export { SocketSession, accountRoom, tokenRoom } from '../realtime/socket-session';

// Tables: the module decorator that contributes entities, migrations, configuration and events,
// the one way to write, reads, and the timestamp column transformer.
export { GatehouseModule, type GatehouseModuleMetadata } from './gatehouse-module';
export { TransactionRunner } from '../database/transaction-runner';
export { InjectReadRepository, type ReadRepository } from './read-repository';
export { epochMillis } from '../database/timestamp.transformer';

// Configuration of the module's own, read from Gatehouse's environment and checked at start.
export { configNamespace, setting, type Setting, type ConfigNamespaceClass } from '../config/config-namespace';

// Time: ask the Clock rather than Date.now(), so that tests can move it.
export { Clock } from '../clock/clock';

// Work the server repeats (never the owner's tools).
export { PeriodicTask, type PeriodicTaskDeclaration, type TaskPeriod } from '../extension-points/periodic-task';

// Owner commands: one declaration, a command-line sub-command and an MCP tool.
export {
  OwnerCommand,
  type OwnerCommandArgument,
  type OwnerCommandAnnotations,
  type OwnerCommandDeclaration,
  type OwnerCommandOption,
  type OwnerCommandReply,
} from '../extension-points/owner-command';
export { loginArgument } from '../extension-points/owner-arguments';
export { AccountLookup } from '../accounts/account-lookup';

// Security events: listening, and recording the module's own (declared in @GatehouseModule).
export { OnSecurityEvent, SecurityEvents } from '../events/security-events';
export type {
  EventDetail,
  ModuleEventName,
  RevocationCause,
  SecurityEvent,
  SecurityEventInput,
  SecurityEventName,
} from '../events/security-event';

// Sign-in steps: a say between a verified password and the token (and at step-up).
export { SignInStep, type SignInAttempt, type SignInStepOptions, type StepVerdict } from '../auth/sign-in-steps';
