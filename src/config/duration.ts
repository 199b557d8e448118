const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest duration accepted: ten years keeps every timestamp far inside a safe integer. */
const MAX_MS = 10 * 365 * UNIT_MS.d;

/**
 * Parses `3600`, `90s`, `15m`, `12h`, `30d` (a bare number is seconds; a decimal such as
 * `1.5h` is allowed). Returns milliseconds, or null when the text is not such a duration.
 */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] || 's']);
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_MS ? ms : null;
}
