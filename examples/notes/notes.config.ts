import { configNamespace, setting } from '../../src/extension';

/**
 * The module's own settings, read from Gatehouse's environment (and .env) and checked before
 * the start: `NOTES_MAX_LENGTH=x` stops it with `gatehouse: invalid configuration:
 * NOTES_MAX_LENGTH must be a whole number from 1 to 500, got "x"`.
 */
export class NotesConfig extends configNamespace('NOTES', {
  /** The longest note, in characters (the column holds 500). */
  NOTES_MAX_LENGTH: setting.integer({ default: 500, min: 1, max: 500 }),
  /** Notes older than this are deleted in the background; `off` keeps them. */
  NOTES_RETENTION: setting.duration({ default: 'off', min: '1m', off: true }),
}) {}
