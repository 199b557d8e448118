/**
 * Where a client keeps its token. The rules of the service (CONTRACT sections 2 and 18) decide
 * when it changes: a sign-in sets it, a `401` on a route that reads it clears it, a `503` keeps it.
 */
export interface TokenStore {
  get(): string | null;
  set(token: string): void;
  clear(): void;
}

/** A token kept in memory only: a Node service's, or a page's that must not outlive it. */
export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    get: () => token,
    set: (value) => void (token = value),
    clear: () => void (token = null),
  };
}

/** What the store needs of the Web Storage API. */
interface WebStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A browser tab's token in `sessionStorage`: it ends with the tab, and no other tab or page of
 * another origin reads it (the account page keeps it so). Not `localStorage`, which every tab of
 * the origin shares and which outlives the browser session.
 */
export function sessionStorageTokenStore(
  key = 'gatehouse.token',
  storage: WebStorage = (globalThis as unknown as { sessionStorage: WebStorage }).sessionStorage,
): TokenStore {
  return {
    get: () => storage.getItem(key),
    set: (token) => storage.setItem(key, token),
    clear: () => storage.removeItem(key),
  };
}
