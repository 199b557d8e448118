/** What a valid token stands for: the result of TokensService.authenticate. */
export interface Session {
  tokenId: number;
  accountId: number;
  /** The account's login as registered (its display form). */
  login: string;
  accountCreatedAt: number;
  issuedAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
}
