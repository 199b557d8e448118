/**
 * What a module added to Gatehouse may use, and all it may use: everything else under src/ is
 * internal and changes without notice. See "Extending Gatehouse" in README.md and the example
 * in examples/notes.
 */

// Routes: one level per route, read by Gatehouse's guard; a route without one stops the start.
export { Auth, AuthLevel } from '../auth/auth-level';
// Errors: Birdhouse shape unless a controller says @Dialect('classic') (README, "Extending Gatehouse").
export { Dialect, type DialectName } from '../docs/dialect';
export { CurrentSession } from '../auth/current-session.decorator';
export type { Session } from '../tokens/session';

// Socket events: the gateway decorator (handshake check, error shape), the session, the rooms.
export { GatehouseGateway, type GatehouseGatewayOptions } from '../realtime/gatehouse-gateway';
export { SocketSession, accountRoom, tokenRoom } from '../realtime/socket-session';

// Tables: the module decorator that contributes entities and migrations, and the one way to write.
export { GatehouseModule, type GatehouseModuleMetadata } from './gatehouse-module';
export { TransactionRunner } from '../database/transaction-runner';
export { InjectReadRepository, type ReadRepository } from './read-repository';

// Time: ask the Clock rather than Date.now(), so that tests can move it.
export { Clock } from '../clock/clock';

// Security events, delivered after the request that caused them.
export { OnSecurityEvent } from '../events/security-events';
export type { RevocationCause, SecurityEvent, SecurityEventName } from '../events/security-event';
