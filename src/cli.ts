import { Command, CommanderError, Option } from 'commander';
import { packageInfo } from './package-root.js';
import { EXIT, UsageError } from './commands/usage-error.js';

/**
 * The command line: parsing only. Each command's work lives in src/commands/<name>.ts and
 * is imported when that command runs, so `labwright --version` loads almost nothing.
 */

type Action = () => Promise<number> | number;

let exitCode: number = EXIT.ok;
const run = (action: Action) => async () => {
  exitCode = await action();
};

export function buildProgram(): Command {
  const program = new Command('labwright')
    .description('Guided cloud labs in the terminal: steps, actions, checks and hints.')
    .version(packageInfo().version, '-v, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(text) })
    .exitOverride();

  program
    .command('list')
    .description('list the labs found in ./labs and the bundled labs')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      run(async () => (await import('./commands/list.js')).listCommand(options))(),
    );

  program
    .command('validate')
    .description('lint lab definitions: every problem, with file:line:col')
    .argument('<lab...>', 'lab.yaml files, lab folders or lab ids')
    .option('--json', 'print the problems as JSON')
    .action((labs: string[], options: { json?: boolean }) =>
      run(async () => (await import('./commands/validate.js')).validateCommand(labs, options))(),
    );

  return program;
}

/** Shared by every command that touches AWS. */
export function targetOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--target <kind>', 'where the lab runs')
        .choices(['sandbox', 'localstack', 'aws'])
        .default('sandbox'),
    )
    .option('--endpoint <url>', 'a LocalStack-compatible endpoint (implies --target localstack)')
    .option('--profile <name>', 'an AWS profile (implies --target aws)')
    .option('--region <name>', 'the AWS region');
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      console.error(`labwright: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}
