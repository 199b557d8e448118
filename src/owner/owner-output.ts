import type { Token } from '../tokens/token.entity';

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A time for the MCP tools' results: ISO 8601, or null. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A time for the command line's output: ISO 8601, or "-". */
export const isoOrDash = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

/**
 * One row per live token. The session is named by its public id, as the account's owner sees
 * it in their own list: the token cannot be shown (only its hash is stored) and the hash must
 * not be, since it names the token in the database.
 */
export function sessionsTable(sessions: Token[]): string[] {
  const rows = [
    ['session', 'issued', 'last used', 'expires', 'client'],
    ...sessions.map((t) => [
      t.publicId,
      isoOrDash(t.createdAt),
      isoOrDash(t.lastUsedAt),
      isoOrDash(t.expiresAt),
      t.client ?? '-',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}
