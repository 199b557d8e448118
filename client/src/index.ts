export {
  createGatehouseClient,
  type GatehouseClient,
  missingScope,
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
export {
  type AddPasskeyInput,
  type AddPasskeyResult,
  addPasskey,
  type PasskeyCeremonyFailure,
  type PasskeySignInResult,
  passkeysSupported,
  signInWithPasskey,
} from './passkeys';
export { encodePassword } from './password';
export { routes } from './routes';
export type { components, operations, paths } from './schema';
export {
  connectSocket,
  type GatehouseSocket,
  handshake,
  type HandshakeOutcome,
  type SocketConnectOptions,
  whoami,
} from './socket';
export { memoryTokenStore, sessionStorageTokenStore, type TokenStore } from './tokens';
export {
  type AuthenticationResponseJSON,
  type Base64URLString,
  base64urlToBuffer,
  bufferToBase64url,
  type CreationOptionsJSON,
  authenticationToJSON,
  creationOptionsFromJSON,
  registrationToJSON,
  type RegistrationResponseJSON,
  type RequestOptionsJSON,
  requestOptionsFromJSON,
} from './webauthn-json';
