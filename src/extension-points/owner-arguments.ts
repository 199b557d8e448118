import { z } from 'zod';
import type { OwnerCommandArgument } from './owner-command';

/**
 * The `login` argument of an owner command: the command line's `<login>`, the MCP tool's one
 * `login` field. Unknown MCP arguments are dropped, so a bad call has exactly one thing wrong
 * with it and its reason fits one line.
 */
export const loginArgument: OwnerCommandArgument = {
  cli: 'the account, matched as at sign-in (case-insensitively)',
  mcp: z
    .string()
    .min(1)
    .max(1024)
    .describe("The account's login (handle), matched as at sign-in: case-insensitively, after Unicode NFKC."),
};
