import type { Type } from '@nestjs/common';
import { Command, Option } from 'commander';
import { type OwnerCommandEntry, parametersOf, printOf } from '../extension-points/owner-command';
import { commandLineRunner, ownerCommands, type OwnerRunner } from '../owner/owner-context';
import { escapeControlCharacters } from '../tokens/printable';
import { explain } from './cli-error';

export type { OwnerRunner };

export interface CliOutput {
  /** Results, for the owner or a script: stdout. */
  out(text: string): void;
  /** The one-line reason of a failure: stderr. */
  err(text: string): void;
}

const HELP_FOOTER = `
Run from the project directory as: npm run cli -- <command> [options]
The database is the one named by DATABASE_URL (the environment, then .env).

Every change is also written to stderr as a security event (one JSON line each).

Exit status: 0 done; 1 not done (unknown login, database unreachable or failing), nothing
changed; 2 bad arguments or configuration, nothing attempted.`;

/** The whole syntax of a command, options included, for the overview that --help prints. */
function synopsis(command: Command): string {
  const args = command.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return [command.name(), ...args, ...command.options.map((o) => `[${o.flags}]`)].join(' ');
}

/** One sub-command per owner command that has a command-line name (@OwnerCommand). */
function addCommand(
  root: Command,
  { provider, method, declaration }: OwnerCommandEntry,
  output: CliOutput,
  run: OwnerRunner,
) {
  if (declaration.cli === false) return;
  const command = root.command(declaration.cli).description(declaration.description);
  const argNames = Object.keys(declaration.args ?? {});
  for (const [name, argument] of Object.entries(declaration.args ?? {}))
    command.argument(argument.required === false ? `[${name}]` : `<${name}>`, argument.cli);
  const options = Object.entries(declaration.options ?? {}).map(([name, option]) => {
    const flag = new Option(option.flags, option.cli);
    command.addOption(flag);
    return [name, flag.attributeName()] as const;
  });
  command.action(async (...values: unknown[]) => {
    const given = values[argNames.length] as Record<string, unknown>;
    const named: Record<string, unknown> = Object.fromEntries(argNames.map((name, i) => [name, values[i]]));
    for (const [name, attribute] of options) named[name] = given[attribute];
    const parameters = parametersOf(declaration, named);
    const result = await run(
      (instance) => (instance as Record<string, (...args: unknown[]) => Promise<unknown>>)[method](...parameters),
      provider,
    );
    // Logins, client labels, addresses: stored data never reaches the terminal with a control character.
    for (const line of printOf(declaration)(result)) output.out(`${escapeControlCharacters(line)}\n`);
  });
}

function program(output: CliOutput, run: OwnerRunner, commands: OwnerCommandEntry[]): Command {
  const root = new Command('gatehouse')
    .description('Gatehouse owner commands: account recovery, locks and token revocation.')
    // Set before the commands are added, which inherit them. Commander's own error output is
    // silenced: every failure is reported once, as one line, by runCli.
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text), writeErr: () => undefined, outputError: () => undefined })
    // A fixed width: the help reads the same in a terminal, a pipe or a log.
    .configureHelp({ subcommandTerm: synopsis, helpWidth: 100 })
    .addHelpText('after', HELP_FOOTER);
  for (const command of commands) addCommand(root, command, output, run);
  return root;
}

/**
 * Runs one owner command line; returns the exit status. Never throws. The commands are
 * Gatehouse's and those the given modules declare (@OwnerCommand); `run` reaches the services
 * (by default a context opened for the one command).
 */
export async function runCli(
  argv: string[],
  output: CliOutput,
  run?: OwnerRunner,
  modules: Type[] = [],
): Promise<number> {
  try {
    const commands = ownerCommands(modules);
    await program(output, run ?? commandLineRunner(modules), commands).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    const { exitCode, reason } = explain(error);
    if (reason !== undefined) output.err(`gatehouse: ${escapeControlCharacters(reason)}\n`);
    return exitCode;
  }
}
