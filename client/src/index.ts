export {
  createGatehouseClient,
  type GatehouseClient,
  type GatehouseClientOptions,
  type Schemas,
  type SignInCredentials,
  type SignInResult,
} from './client';
export type {
  ClientToServerEvents,
  RevokedPayload,
  SecurityPayload,
  ServerToClientEvents,
  ShutdownPayload,
  SocketErrorBody,
  WhoamiReply,
} from './events';
export { encodePassword } from './password';
export { routes } from './routes';
export type { components, operations, paths } from './schema';
export { connectSocket, type GatehouseSocket, type SocketConnectOptions, whoami } from './socket';
export { memoryTokenStore, sessionStorageTokenStore, type TokenStore } from './tokens';
