import assert from 'node:assert/strict';
import { type ConfigKey, ConfigError, parseConfig } from './config';

export type Env = Partial<Record<ConfigKey, string>>;

/** Asserts that parseConfig refuses `env` with a one-line ConfigError naming `variable`. */
export function refuses(env: Env, variable: ConfigKey): ConfigError {
  let caught: unknown;
  try {
    parseConfig(env);
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof ConfigError,
    `${JSON.stringify(env)} was accepted or threw something else: ${String(caught)}`,
  );
  assert.equal(caught.name, 'ConfigError');
  assert.ok(caught.message.includes(variable), `message does not name ${variable}: ${caught.message}`);
  assert.doesNotMatch(caught.message, /[\r\n]/, 'one line');
  assert.ok(caught.message.trim().length > variable.length, 'says what is wrong');
  return caught;
}
