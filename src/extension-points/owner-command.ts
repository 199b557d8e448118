import type { Type } from '@nestjs/common';
import type { ZodType } from 'zod';

/** A positional argument of an owner command: a parameter of the method, in declaration order. */
export interface OwnerCommandArgument {
  /** Its line in the command line's help. */
  cli: string;
  /** Its field in the MCP tool's input (zod, described); absent: the command line only. */
  mcp?: ZodType;
  /** `<name>` (the default) or `[name]`. */
  required?: boolean;
}

/** A `--flag` of an owner command: a parameter of the method after the arguments (undefined when not given). */
export interface OwnerCommandOption {
  /** Commander's flags, e.g. `--password <new>`. */
  flags: string;
  /** Its line in the command line's help. */
  cli: string;
  /** Its optional field in the MCP tool's input (zod, described); absent: the command line only. */
  mcp?: ZodType;
}

/** How an MCP client should treat the tool (the command line ignores it). */
export interface OwnerCommandAnnotations {
  readOnly: boolean;
  /** Whether it may take something away (tokens, the account); for writes. */
  destructive?: boolean;
  /** Whether running it twice does no more than once; for writes. */
  idempotent?: boolean;
}

/** What a command's result looks like as an MCP tool result: its text and its structured content. */
export interface OwnerCommandReply {
  text: string;
  data: Record<string, unknown>;
}

/**
 * One owner operation, declared once for the command line (`npm run cli -- <cli> ...`) and the
 * MCP server (tool `mcp.name`). The decorated method is called with the arguments, then the
 * options, in the order declared; what it resolves to is printed (`print`) or returned
 * (`reply`); what it throws is the one-line failure of either (a DomainError of kind `invalid`
 * is bad arguments: exit 2).
 */
export interface OwnerCommandDeclaration<R = any> {
  /** The sub-command's name, or false: an MCP tool only. */
  cli: string | false;
  /** The tool, or false: the command line only. */
  mcp: { name: string; title: string; description: string } | false;
  /** The command line's description (--help). */
  description: string;
  args?: Record<string, OwnerCommandArgument>;
  options?: Record<string, OwnerCommandOption>;
  annotations: OwnerCommandAnnotations;
  /** The command line's stdout, one string a line (default: the result as one JSON line). */
  print?: (result: R) => string[];
  /** The tool's result (default: the result as JSON text and as structured content). */
  reply?: (result: R) => OwnerCommandReply;
}

/** One declared command, found on a provider class. */
export interface OwnerCommandEntry {
  provider: Type;
  method: string;
  declaration: OwnerCommandDeclaration;
}

const OWNER_COMMANDS = 'gatehouse:owner-commands';

/**
 * Declares a provider method an owner command (see OwnerCommandDeclaration). The provider must
 * belong to a module that Gatehouse loads (one of src/modules.ts, for the command line and the
 * MCP server); the commands are read from the classes, so `--help` and the tool list need no
 * database.
 */
export const OwnerCommand =
  <R>(declaration: OwnerCommandDeclaration<R>): MethodDecorator =>
  (target, key) => {
    const own = (Reflect.getOwnMetadata(OWNER_COMMANDS, target.constructor) ?? []) as {
      method: string;
      declaration: OwnerCommandDeclaration;
    }[];
    Reflect.defineMetadata(OWNER_COMMANDS, [...own, { method: String(key), declaration }], target.constructor);
  };

/** The owner commands declared on the given classes, in their order and, per class, in the order of its methods. */
export function ownerCommandsOf(providers: readonly Type[]): OwnerCommandEntry[] {
  const entries = providers.flatMap((provider) =>
    ((Reflect.getOwnMetadata(OWNER_COMMANDS, provider) ?? []) as Omit<OwnerCommandEntry, 'provider'>[]).map(
      (entry) => ({ provider, ...entry }),
    ),
  );
  for (const surface of ['cli', 'mcp'] as const) {
    const names = entries.flatMap((e) => {
      const name = surface === 'cli' ? e.declaration.cli : e.declaration.mcp && e.declaration.mcp.name;
      return name ? [name] : [];
    });
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice) throw new Error(`owner command "${twice}" is declared twice`);
  }
  return entries;
}

/** The method's parameters from named values: the arguments, then the options, in declaration order. */
export function parametersOf(declaration: OwnerCommandDeclaration, values: Record<string, unknown>): unknown[] {
  return [...Object.keys(declaration.args ?? {}), ...Object.keys(declaration.options ?? {})].map(
    (name) => values[name],
  );
}

/** What the command line prints when the declaration says nothing. */
export function printOf(declaration: OwnerCommandDeclaration): (result: unknown) => string[] {
  return declaration.print ?? ((result) => [JSON.stringify(result)]);
}

/** What the MCP tool answers when the declaration says nothing. */
export function replyOf(declaration: OwnerCommandDeclaration): (result: unknown) => OwnerCommandReply {
  return (
    declaration.reply ??
    ((result) => ({ text: JSON.stringify(result), data: (result ?? {}) as Record<string, unknown> }))
  );
}
