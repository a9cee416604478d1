import chalk from 'chalk';
import { createElement } from 'react';
import type { LabSession } from '../engine/runner.js';
import type { LabEntry } from '../lab/discover.js';
import { labwrightCommand } from '../ui/command-name.js';
import { loadFirstFrame } from '../ui/first-frame.js';
import { takeScreen } from '../ui/screen-session.js';
import { colourDisabled } from '../ui/theme.js';
import type { CommandTarget } from './target.js';
import type { LabCommandOptions } from './target-session.js';
import { EXIT, UsageError } from './usage-error.js';

export interface RunOptions extends LabCommandOptions {
  /** `--step ID`: open this step (the last one given, if repeated). */
  step?: string[];
}

/**
 * `labwright run <lab>` and a bare `labwright`: the guided lab in the terminal. Without a
 * terminal (piped, CI) it prints what `labwright check` prints instead.
 */
export async function runCommand(
  labArgument: string | undefined,
  options: RunOptions,
  entry: { fromRoot?: boolean } = {},
): Promise<number> {
  if (colourDisabled()) chalk.level = 0;
  try {
    if (entry.fromRoot && labArgument) {
      // `labwright chek` is more likely a mistyped command than a lab.
      const { resolveLabArgument } = await import('../lab/discover.js');
      if (!resolveLabArgument(labArgument)) {
        throw new UsageError(
          `unknown command or lab "${labArgument}": \`labwright --help\` lists the commands, \`labwright list\` the labs`,
        );
      }
    }
    if (!process.stdout.isTTY || !process.stdin.isTTY)
      return await plainFallback(labArgument, options);
    return await runTui(labArgument, options);
  } catch (error) {
    const { reportError } = await import('./target-session.js');
    return reportError(error);
  }
}

async function plainFallback(
  labArgument: string | undefined,
  options: RunOptions,
): Promise<number> {
  const { discoverLabs } = await import('../lab/discover.js');
  const lab = labArgument ?? onlyLab(discoverLabs())?.id;
  if (!lab) {
    throw new UsageError(
      'no terminal to show the lab in, and several labs: name one, e.g. `labwright check <lab>`',
    );
  }
  // The plain report of `labwright check`, each check run once: nobody is there to wait for.
  const { checkCommand } = await import('./check.js');
  return checkCommand(lab, { ...options, wait: false });
}

function onlyLab(labs: LabEntry[]): LabEntry | undefined {
  return labs.length === 1 ? labs[0] : undefined;
}

async function runTui(labArgument: string | undefined, options: RunOptions): Promise<number> {
  // The first frame needs only Ink, React and the splash; everything else loads behind it.
  const { render, Splash } = await loadFirstFrame();
  const screen = takeScreen();
  let quitting = false;
  let target: CommandTarget | undefined;
  let engine: LabSession | undefined;
  let outcome: { code: number; message?: string } = { code: EXIT.ok };

  const instance = render(
    createElement(Splash, { message: 'Opening the lab…', onQuit: () => quit() }),
    {
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  const quit = (result: { code: number; message?: string } = { code: EXIT.ok }) => {
    if (quitting) return;
    quitting = true;
    outcome = result;
    instance.unmount();
  };
  // A closed terminal or a kill still saves nothing half-done and gives the terminal back.
  const onSignal = () => quit();
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  const work = (async () => {
    const [
      { discoverLabs, resolveLabArgument },
      { LabMenu },
      { loadLabFile },
      { formatProblem },
      { parseVars },
    ] = await Promise.all([
      import('../lab/discover.js'),
      import('../ui/components/LabMenu.js'),
      import('../engine/load-lab.js'),
      import('../lab/problem.js'),
      import('../engine/vars.js'),
    ]);
    let file: string | undefined;
    let labs: LabEntry[] = [];
    if (labArgument) {
      file = resolveLabArgument(labArgument);
      if (!file) {
        throw new UsageError(
          `no lab "${labArgument}": give a lab id (\`labwright list\` shows them) or a path to a lab.yaml`,
        );
      }
    } else {
      labs = discoverLabs();
      if (labs.length === 0) throw new UsageError('no labs found in ./labs, and no bundled labs');
      file = onlyLab(labs)?.file;
    }
    const vars = parseVars(options.var ?? []);
    if (!file) {
      file = await new Promise<string>((resolve) => {
        instance.rerender(
          createElement(LabMenu, {
            labs,
            onChoose: (lab) => resolve(lab.file),
            onQuit: () => quit(),
          }),
        );
      });
      if (quitting) return;
      instance.rerender(
        createElement(Splash, { message: 'Opening the lab…', onQuit: () => quit() }),
      );
    }
    const result = await loadLabFile(file, { checkOperations: false });
    if (!result.ok) {
      const problems = result.problems.map(formatProblem).join('\n');
      quit({
        code: EXIT.usage,
        message: `${problems}\nlabwright: the lab does not load; \`labwright validate\` lints it`,
      });
      return;
    }
    const loaded = result.loaded;
    if (quitting) return;
    instance.rerender(
      createElement(Splash, {
        message: `Opening ${loaded.lab.title} on ${targetName(options)}…`,
        onQuit: () => quit(),
      }),
    );
    const [{ openTarget }, { openLab }, { sessionFromEngine }, { App }] = await Promise.all([
      import('./target.js'),
      import('../engine/runner.js'),
      import('../ui/engine-session.js'),
      import('../ui/App.js'),
    ]);
    target = await openTarget(options);
    if (quitting) return;
    engine = openLab({ lab: loaded, connection: target.connection, vars });
    const session = sessionFromEngine(engine, loaded.dir);
    const step = options.step?.at(-1);
    if (step && !loaded.lab.steps.some((s) => s.id === step)) {
      const known = loaded.lab.steps.map((s) => s.id).join(', ');
      quit({
        code: EXIT.usage,
        message: `labwright: the lab has no step "${step}"; its steps are ${known}`,
      });
      return;
    }
    instance.rerender(
      createElement(App, {
        session,
        ...(step ? { initialStep: step } : {}),
        targetArgs: targetArgs(options),
        command: labwrightCommand(),
        onQuit: () => quit(),
      }),
    );
  })().catch(async (error: unknown) => {
    const { reportError } = await import('./target-session.js');
    try {
      quit({ code: reportError(error) });
    } catch (unexpected) {
      quit({ code: 1, message: `labwright: ${(unexpected as Error).stack ?? String(unexpected)}` });
    }
  });

  try {
    await instance.waitUntilExit();
  } finally {
    screen.restore();
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
  const held = screen.held();
  if (held) process.stderr.write(held);
  if (outcome.message) console.error(outcome.message);
  if (engine && outcome.code === EXIT.ok) console.log(await farewell(engine, options));
  // If the student quit while the target was still being reached, let the opening finish, then close it.
  await work;
  await target?.close();
  return outcome.code;
}

function targetName(options: RunOptions): string {
  if (options.profile || options.target === 'aws') return 'AWS';
  if (options.endpoint || options.target === 'localstack')
    return options.endpoint ?? 'the local endpoint';
  return 'the sandbox';
}

/** The target options again, for the `labwright reset` line of the completion screen. */
function targetArgs(options: RunOptions): string {
  const args: string[] = [];
  if (options.target && options.target !== 'sandbox') args.push(`--target ${options.target}`);
  if (options.endpoint) args.push(`--endpoint ${options.endpoint}`);
  if (options.profile) args.push(`--profile ${options.profile}`);
  if (options.region) args.push(`--region ${options.region}`);
  for (const assignment of options.var ?? []) args.push(`--var ${assignment}`);
  return args.join(' ');
}

/** One line after quitting: where the student is, and how to come back. */
async function farewell(engine: LabSession, options: RunOptions): Promise<string> {
  const { score } = await import('../ui/lab-state.js');
  const { earned, possible } = score(engine.bound, engine.progress.data.checks);
  const step = engine.bound.steps.find((s) => s.id === engine.progress.data.currentStep);
  const where = step ? `, at "${step.title}"` : '';
  const again = `${labwrightCommand()} run ${engine.lab.id}${targetArgs(options) ? ` ${targetArgs(options)}` : ''}`;
  return `Progress saved: ${earned}/${possible}${where}.\nContinue with: ${again}`;
}
