import { Command } from 'commander';
import { explain } from './cli-error';
import { withOwnerService } from '../owner/owner-context';
import type { OwnerService } from '../owner/owner.service';
import { count, iso, sessionsTable } from './output';

export interface CliOutput {
  /** Results, for the owner or a script: stdout. */
  out(text: string): void;
  /** The one-line reason of a failure: stderr. */
  err(text: string): void;
}

export type OwnerRunner = <T>(work: (owner: OwnerService) => Promise<T>) => Promise<T>;

const HELP_FOOTER = `
Run from the project directory as: npm run cli -- <command> [options]
The database is the one named by DATABASE_URL (the environment, then .env).

Every change is also written to stderr as a security event (one JSON line each).

Exit status: 0 done; 1 not done (unknown login, database unreachable or failing), nothing
changed; 2 bad arguments or configuration, nothing attempted.`;

const LOGIN = 'the account, matched as at sign-in (case-insensitively)';

/** The whole syntax of a command, options included, for the overview that --help prints. */
function synopsis(command: Command): string {
  const args = command.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return [command.name(), ...args, ...command.options.map((o) => `[${o.flags}]`)].join(' ');
}

function program(output: CliOutput, run: OwnerRunner): Command {
  const line = (text: string) => output.out(`${text}\n`);
  const root = new Command('gatehouse')
    .description('Gatehouse owner commands: account recovery, locks and token revocation.')
    // Set before the commands are added, which inherit them. Commander's own error output is
    // silenced: every failure is reported once, as one line, by runCli.
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text), writeErr: () => undefined, outputError: () => undefined })
    // A fixed width: the help reads the same in a terminal, a pipe or a log.
    .configureHelp({ subcommandTerm: synopsis, helpWidth: 100 })
    .addHelpText('after', HELP_FOOTER);

  root
    .command('reset-password')
    .description(
      'set a new password and revoke every token of the account, both in one transaction; ' +
        'without --password, a random password is generated and printed once',
    )
    .argument('<login>', LOGIN)
    .option('--password <new>', 'the new password, under the registration rules (visible in shell history and ps)')
    .action(async (login: string, options: { password?: string }) => {
      const result = await run((owner) => owner.resetPassword(login, options.password));
      line(`password of ${result.login} replaced; ${count(result.revoked, 'token')} revoked`);
      if (result.generatedPassword !== undefined) line(`new password: ${result.generatedPassword}`);
    });

  root
    .command('revoke-tokens')
    .description('revoke every token of the account (its password stays)')
    .argument('<login>', LOGIN)
    .action(async (login: string) => {
      const result = await run((owner) => owner.revokeTokens(login));
      line(`${count(result.revoked, 'token')} of ${result.login} revoked`);
    });

  root
    .command('sessions')
    .description('list the live tokens of the account: issued, last used, expires (ISO 8601, UTC), client')
    .argument('<login>', LOGIN)
    .action(async (login: string) => {
      const result = await run((owner) => owner.sessions(login));
      line(`${result.login}: ${count(result.sessions.length, 'live session')}`);
      if (result.sessions.length > 0) sessionsTable(result.sessions).forEach(line);
    });

  root
    .command('recovery-code')
    .description(
      'print a single-use recovery code for the account (valid for RECOVERY_CODE_TTL, replacing any earlier ' +
        'one); the user redeems it with POST /api/auth/recover and a new password of their own',
    )
    .argument('<login>', LOGIN)
    .action(async (login: string) => {
      const result = await run((owner) => owner.issueRecoveryCode(login));
      line(`recovery code of ${result.login}: ${result.code}`);
      line(`single use, valid until ${iso(result.expiresAt)}`);
    });

  root
    .command('lock')
    .description('revoke every token of the account and refuse its sign-ins and recovery until unlock')
    .argument('<login>', LOGIN)
    .action(async (login: string) => {
      const result = await run((owner) => owner.lock(login));
      line(
        `${result.login} ${result.changed ? 'locked' : 'was already locked'}; ${count(result.revoked, 'token')} revoked`,
      );
    });

  root
    .command('unlock')
    .description('let the account sign in and recover again')
    .argument('<login>', LOGIN)
    .action(async (login: string) => {
      const result = await run((owner) => owner.unlock(login));
      line(`${result.login} ${result.changed ? 'unlocked' : 'was not locked'}`);
    });

  root
    .command('delete-account')
    .description('delete the account, its tokens and its recovery code; the login can be registered again')
    .argument('<login>', LOGIN)
    .action(async (login: string) => {
      const result = await run((owner) => owner.deleteAccount(login));
      line(`account ${result.login} deleted; ${count(result.revoked, 'token')} revoked`);
    });

  return root;
}

/** Runs one owner command line; returns the exit status. Never throws. */
export async function runCli(argv: string[], output: CliOutput, run: OwnerRunner = withOwnerService): Promise<number> {
  try {
    await program(output, run).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    const { exitCode, reason } = explain(error);
    if (reason !== undefined) output.err(`gatehouse: ${reason}\n`);
    return exitCode;
  }
}
