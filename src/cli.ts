import { Command, CommanderError, Option } from 'commander';
import { packageInfo } from './package-root.js';
import { EXIT, UsageError } from './commands/usage-error.js';
import type { CheckOptions } from './commands/check.js';
import type { GradeCommandOptions } from './commands/grade.js';
import type { RunOptions } from './commands/run.js';
import type { SandboxCommandOptions } from './commands/sandbox.js';
import type { SubmitOptions } from './commands/submit.js';
import type { TestCommandOptions } from './commands/test.js';
import type { LabCommandOptions } from './commands/target-session.js';

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
    .description('list the labs found in ./labs, LABWRIGHT_LABS folders and the bundled labs')
    .option('--json', 'print JSON')
    .option('--labs <dir>', 'also look for labs in this folder (repeatable)', collect)
    .action((options: { json?: boolean; labs?: string[] }) =>
      run(async () => (await import('./commands/list.js')).listCommand(options))(),
    );

  program
    .command('schema')
    .description(
      "print the path of the lab format's JSON Schema, or with a folder, write lab.schema.json there",
    )
    .argument('[dir]', 'a lab folder to write lab.schema.json into')
    .action((dir: string | undefined) =>
      run(async () => (await import('./commands/schema.js')).schemaCommand(dir))(),
    );

  program
    .command('validate')
    .description('lint lab definitions: every problem, with file:line:col')
    .argument('<lab...>', 'lab.yaml files, lab folders or lab ids')
    .option('--json', 'print the problems as JSON')
    .option(
      '--target <target>',
      'where the lab will run: sandbox (the default) warns about calls the sandbox does not serve; localstack or aws do not',
    )
    .action((labs: string[], options: { json?: boolean; target?: string }) =>
      run(async () => (await import('./commands/validate.js')).validateCommand(labs, options))(),
    );

  const grade = program
    .command('grade')
    .description(
      'grade a class read-only: a roster or hand-ins in; gradebook.csv, results.json and junit.xml out',
    );
  grade
    .command('merge')
    .description("merge the results.json of a class's shards into one gradebook")
    .argument('<results...>', 'the results.json of every shard')
    .option('--out <dir>', 'where the merged gradebook goes (default ./grades)')
    .action((files: string[], options: { out?: string }) =>
      run(async () =>
        // commander gives `--out` after `merge` to grade, which has one too.
        (await import('./commands/grade.js')).gradeMergeCommand(files, {
          out: options.out ?? (grade.opts() as { out?: string }).out,
        }),
      )(),
    );
  targetOptions(
    grade
      .argument('<lab>', 'a lab id or a path to a lab.yaml')
      .option('--roster <file>', 'the roster CSV: a row per student')
      .option(
        '--submissions <paths...>',
        'hand-ins (labwright submit): folders of .labwright files, or the files',
      )
      .option('--shard <i/n>', 'grade only shard i of n: a stable share of the class by id')
      .option('--concurrency <n>', 'students graded at once (default 8)')
      .option(
        '--threads <n>',
        "threads that grade hand-ins, each replaying and serving its students' sandboxes (default: the machine's cores)",
      )
      .option('--out <dir>', 'where the gradebook goes (default ./grades)')
      .option(
        '--only-failed',
        'regrade only the students who failed or were not graded in <out>/results.json',
      )
      .option('--timeout <seconds>', 'give up on a student after this long (default 120)'),
  )
    .addHelpText('after', GRADE_HELP)
    .action((lab: string, options: GradeCommandOptions) =>
      run(async () => (await import('./commands/grade.js')).gradeCommand(lab, options))(),
    );

  labCommand(program, 'check', 'run the checks and report: text, --json or --junit FILE')
    .option('--junit <file>', 'also write a JUnit XML report to FILE')
    .option('--no-wait', 'run each check once, without waiting for eventual consistency')
    .action((lab: string, options: CheckOptions) =>
      run(async () => (await import('./commands/check.js')).checkCommand(lab, options))(),
    );

  labCommand(program, 'solve', "run the lab's reference actions, then its checks")
    .option('--junit <file>', 'also write a JUnit XML report to FILE')
    .option('--yes', 'accept the cost of billable resources on real AWS without asking')
    .option('--no-wait', 'check once after the actions, without waiting for eventual consistency')
    .option('--all', "also run optional steps' actions (otherwise only with --step)")
    .action((lab: string, options: CheckOptions & { all?: boolean }) =>
      run(async () => (await import('./commands/solve.js')).solveCommand(lab, options))(),
    );

  targetOptions(
    program
      .command('test')
      .description(
        'prove a lab works: its checks fail on a fresh account, pass after its reference actions, its cleanup leaves nothing, and each declared mistake is caught',
      )
      .argument('<lab>', 'a lab id or a path to a lab.yaml')
      .option(
        '--scenario <name>',
        'only this scenario: fresh, solve, reset or a mistake id (repeatable)',
        collect,
      )
      .option('--var <name=value>', 'set a lab variable (repeatable)', collect)
      .option('--json', 'print JSON')
      .option('--junit <file>', 'also write a JUnit XML report to FILE'),
  ).action((lab: string, options: TestCommandOptions) =>
    run(async () => (await import('./commands/test.js')).testCommand(lab, options))(),
  );

  targetOptions(
    program
      .command('run')
      .description('the guided lab in the terminal: instructions, actions, live checks and hints')
      .argument('<lab>', 'a lab id or a path to a lab.yaml')
      .option('--step <id>', 'open this step', collect)
      .option('--var <name=value>', 'set a lab variable (repeatable)', collect),
  ).action((lab: string, options: RunOptions) =>
    run(async () => (await import('./commands/run.js')).runCommand(lab, options))(),
  );

  // A bare `labwright`: the lab menu, or the only lab straight away; `labwright <lab>` opens that lab.
  program
    .argument('[lab]', 'a lab to open in the guided TUI (default: the menu, or the only lab)')
    .action((lab: string | undefined) =>
      run(async () =>
        (await import('./commands/run.js')).runCommand(lab, {}, { fromRoot: true }),
      )(),
    );

  labCommand(program, 'hint', 'the next hint for the first check that does not pass').action(
    (lab: string, options: LabCommandOptions) =>
      run(async () => (await import('./commands/hint.js')).hintCommand(lab, options))(),
  );

  targetOptions(
    program
      .command('submit')
      .description(
        'hand in your sandbox work: one file with every call you made, your files and progress',
      )
      .argument('<lab>', 'a lab id or a path to a lab.yaml')
      .option('--out <file>', 'where the hand-in goes (default ./<lab>-<student>.labwright)')
      .option('--student <name>', 'your name or student id (default $USER)')
      .option('--var <name=value>', 'a lab variable you set (repeatable)', collect),
  ).action((lab: string, options: SubmitOptions) =>
    run(async () => (await import('./commands/submit.js')).submitCommand(lab, options))(),
  );

  targetOptions(
    program
      .command('reset')
      .description('delete what the lab created, and nothing else; forget progress on the target')
      .argument('<lab>', 'a lab id or a path to a lab.yaml')
      .option('--var <name=value>', 'set a lab variable (repeatable)', collect)
      .option('--yes', 'do not ask for confirmation on real AWS'),
  ).action((lab: string, options: LabCommandOptions) =>
    run(async () => (await import('./commands/reset.js')).resetCommand(lab, options))(),
  );

  targetOptions(
    program
      .command('notebook-shell')
      .description(
        "a notebook's terminal: run a command (default: your shell) as the notebook's execution role",
      )
      .argument('<lab>', 'a lab id or a path to a lab.yaml')
      .argument('<notebook>', 'the notebook instance whose role the command runs as')
      .argument('[command...]', 'the command and its arguments, after --')
      .option('--var <name=value>', 'set a lab variable (repeatable)', collect),
  ).action((lab: string, notebook: string, command: string[], options: LabCommandOptions) =>
    run(async () =>
      (await import('./commands/notebook-shell.js')).notebookShellCommand(
        lab,
        notebook,
        command,
        options,
      ),
    )(),
  );

  program
    .command('sandbox')
    .description('run the embedded AWS sandbox in the foreground, for other terminals and tools')
    .option('--port <port>', 'the port to listen on (0: any free one)', '4566')
    .option('--state <dir>', 'where its state lives (default: the XDG state folder)')
    .option('--reset', 'start from empty state')
    .action((options: SandboxCommandOptions) =>
      run(async () => (await import('./commands/sandbox.js')).sandboxCommand(options))(),
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
    // A sandbox state folder that cannot be used, or that another sandbox holds: one sentence.
    if (
      error instanceof UsageError ||
      (error instanceof Error &&
        (error.name === 'SandboxStateError' || error.name === 'SandboxLockedError'))
    ) {
      console.error(`labwright: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}

const GRADE_HELP = `
Roster columns: id, and exactly one of endpoint (a LocalStack-compatible URL), profile (an AWS
profile), role_arn (a grading role in the student's account, assumed with your credentials;
external_id optional) or submission (a hand-in file written by labwright submit); region is
optional; dir names the student's own folder (relative to the roster), where checks read their
files (a template); any other column sets a lab variable for that student.
--submissions DIR grades every hand-in in DIR: each is verified and replayed into a fresh
in-memory sandbox, then graded there; a tampered hand-in, or one for another lab, is an error row.
--shard i/n grades a stable share of the class; labwright grade merge joins the shards' results.
Target options are yours, not the students': --region is the default region, and role_arn rows
are assumed with --profile (or the default credentials), or through --endpoint.

Grading only reads: checks run once, no action runs, no progress file is written.
Gradebook columns: id, score, possible, percent, the points earned in each step, hints_used, error.
Exit codes: 0 grading completed (whatever the grades); 2 a bad lab, roster or option;
3 not one student's work could be reached.`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** check, solve and hint: a lab, the target options, --step, --var and --json. */
function labCommand(program: Command, name: string, description: string): Command {
  return targetOptions(
    program
      .command(name)
      .description(description)
      .argument('<lab>', 'a lab id or a path to a lab.yaml')
      .option('--step <id>', 'only this step (repeatable)', collect)
      .option('--var <name=value>', 'set a lab variable (repeatable)', collect)
      .option('--json', 'print JSON'),
  );
}
