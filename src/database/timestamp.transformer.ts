import type { ValueTransformer } from 'typeorm';

/**
 * Timestamps are stored as milliseconds since the epoch in a BIGINT: the same on MySQL and
 * SQLite, free of time-zone conversions. MySQL drivers return BIGINT as a string.
 */
export const epochMillis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
