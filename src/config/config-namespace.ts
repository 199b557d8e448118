import { parseDuration } from './duration';
import { CONFIG_KEYS, ConfigError, duration, type Env, integer, onOff } from './config';

/** How one variable of a namespace is read: its default, and the parser that checks it. */
export interface Setting<T> {
  /** The value used when the variable is unset or blank, as it would be written. */
  readonly defaultText: string;
  /** Throws ConfigError with a one-line message naming the variable. */
  parse(name: string, raw: string): T;
}

/**
 * The kinds of settings, with Gatehouse's own messages (`NOTES_MAX_LENGTH must be a whole number
 * from 1 to 500, got "x"`).
 */
export const setting = {
  /** A whole number from `min` to `max`. */
  integer: (options: { default: number; min: number; max: number }): Setting<number> => ({
    defaultText: String(options.default),
    parse: (name, raw) => integer(name, raw, options.min, options.max),
  }),
  /**
   * A duration as TOKEN_TTL writes it (`90s`, `15m`, `30d`), in milliseconds, of at least `min`;
   * with `off: true` the word `off` gives null.
   */
  duration: <Off extends boolean = false>(options: {
    default: string;
    min: string;
    off?: Off;
  }): Setting<Off extends true ? number | null : number> => {
    const minMs = parseDuration(options.min);
    if (minMs === null) throw new Error(`setting.duration: min "${options.min}" is not a duration`);
    return {
      defaultText: options.default,
      parse: (name, raw) =>
        (options.off && raw === 'off' ? null : duration(name, raw, minMs)) as Off extends true ? number | null : number,
    };
  },
  /** `on` or `off`. */
  onOff: (options: { default: boolean }): Setting<boolean> => ({
    defaultText: options.default ? 'on' : 'off',
    parse: (name, raw) => onOff(name, raw),
  }),
  /** One of the given words. */
  choice: <const V extends string>(options: { default: V; values: readonly V[] }): Setting<V> => ({
    defaultText: options.default,
    parse: (name, raw) => {
      if (!(options.values as readonly string[]).includes(raw))
        throw new ConfigError(`${name} must be ${options.values.join(', ')}, got "${raw}"`);
      return raw as V;
    },
  }),
  /** Free text; `pattern` (described by `expected`, e.g. "1 to 64 letters") restricts it. */
  text: (options: { default: string; pattern?: RegExp; expected?: string }): Setting<string> => ({
    defaultText: options.default,
    parse: (name, raw) => {
      if (options.pattern && !options.pattern.test(raw))
        throw new ConfigError(
          `${name} must be ${options.expected ?? `text matching ${options.pattern}`}, got "${raw}"`,
        );
      return raw;
    },
  }),
  /** A comma-separated list (blank entries dropped); `check` refuses an entry by returning why. */
  list: (options: { default: string; check?: (entry: string) => string | null }): Setting<string[]> => ({
    defaultText: options.default,
    parse: (name, raw) => {
      const entries = raw
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      for (const entry of entries) {
        const why = options.check?.(entry);
        if (why) throw new ConfigError(`${name} entries must be ${why}, got "${entry}"`);
      }
      return entries;
    },
  }),
};

type Settings = Record<string, Setting<unknown>>;
type Values<S extends Settings> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** A class made by configNamespace: its instances hold the parsed values. */
export interface ConfigNamespaceClass<T = unknown> {
  new (): T;
  readonly prefix: string;
  readonly settings: Settings;
}

const PREFIX = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/**
 * A module's own settings, read from Gatehouse's environment (the process environment over
 * .env) and checked before the application starts, with the same one-line errors as
 * Gatehouse's own variables. Every variable is the prefix itself or starts with `<prefix>_` (a
 * switch and its details: `TWO_FACTOR`, `TWO_FACTOR_ISSUER`); one declared twice (by two
 * namespaces, or one of Gatehouse's own) stops the start. Declare it in `@GatehouseModule({
 * config: [NotesConfig] })` and inject the class:
 *
 *     export class NotesConfig extends configNamespace('NOTES', {
 *       NOTES_MAX_LENGTH: setting.integer({ default: 500, min: 1, max: 500 }),
 *     }) {}
 *     constructor(private readonly config: NotesConfig) {}   // this.config.NOTES_MAX_LENGTH
 */
export function configNamespace<const S extends Settings>(
  prefix: string,
  settings: S,
): ConfigNamespaceClass<Values<S>> {
  if (!PREFIX.test(prefix)) throw new Error(`configuration namespace "${prefix}" must be upper-case, e.g. NOTES`);
  for (const name of Object.keys(settings)) {
    if ((name !== prefix && !name.startsWith(`${prefix}_`)) || !PREFIX.test(name))
      throw new Error(
        `configuration variable ${name} must start with ${prefix}_ (or be ${prefix} itself) and be upper-case`,
      );
  }
  return class {
    static readonly prefix = prefix;
    static readonly settings: Settings = settings;
  } as unknown as ConfigNamespaceClass<Values<S>>;
}

/**
 * Reads every namespace from `source`: one frozen instance per class. Throws ConfigError for a
 * bad value, and for a variable declared twice or by Gatehouse itself.
 */
export function parseNamespaces(
  source: Env,
  namespaces: readonly ConfigNamespaceClass[],
): Map<ConfigNamespaceClass, object> {
  const declaredBy = new Map<string, string>(CONFIG_KEYS.map((key) => [key, 'Gatehouse']));
  const parsed = new Map<ConfigNamespaceClass, object>();
  for (const namespace of new Set(namespaces)) {
    const values: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(namespace.settings)) {
      const other = declaredBy.get(name);
      if (other !== undefined) throw new ConfigError(`${name} is declared by both ${other} and ${namespace.name}`);
      declaredBy.set(name, namespace.name);
      const raw = source[name]?.trim();
      values[name] = kind.parse(name, raw === undefined || raw === '' ? kind.defaultText : raw);
    }
    parsed.set(namespace, Object.freeze(Object.assign(Object.create(namespace.prototype) as object, values)));
  }
  return parsed;
}
