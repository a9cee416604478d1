import type { ActionResult } from '../../engine/events.js';
import {
  actionDisplay,
  type BoundAction as Action,
  type BoundStep as Step,
} from '../../engine/bound-lab.js';
import { highlight } from '../markdown/highlight.js';
import { markdownLines } from '../markdown/render.js';
import { awsCliCommand, shellQuote } from '../text/aws-cli.js';
import { commandLines } from '../text/command-lines.js';
import { wrapPreformatted, wrapSpans, type Line } from '../text/lines.js';
import { glyph, style } from '../theme.js';

/** What happened to an action in this session. */
export type ActionState =
  /** `note`: why it is taking a while (AWS not ready yet, tried again). */
  | { kind: 'running'; note?: string }
  | { kind: 'result'; result: ActionResult }
  | { kind: 'myself' };

export interface StepContentInput {
  step: Step;
  /** The session's variables: a `shell:` line is bound verbatim, and shown with them filled in. */
  vars: Readonly<Record<string, string>>;
  width: number;
  focusedAction: number | undefined;
  actionStates: ReadonlyMap<number, ActionState>;
  spinner: string;
  /** Lines that point the aws CLI at the target, shown on sandbox and local endpoints. */
  shellEnv: Readonly<Record<string, string>>;
  /** The folder the student's own commands run in (engine/workspace.ts). */
  workDir: string;
  /** What the lab runs against: the sandbox lives only while the lab (or `labwright sandbox`) runs. */
  targetKind?: 'sandbox' | 'endpoint' | 'aws';
  /** Says the sandbox is not on the usual port (4566 was taken), when that is so. */
  sandboxPortNote?: string;
  /**
   * bin/labwright.js, when `labwright` is not on the student's PATH: the terminal lines then
   * define a `labwright` shell function, so the lab's own `labwright ...` lines (the notebook's
   * terminal) work in that terminal, wherever it is.
   */
  labwrightBin?: string;
}

export interface StepContent {
  lines: Line[];
  /** The line each action starts on, to scroll a focused action into view. */
  actionLines: number[];
  /**
   * What the copy keys copy, in the order shown: `y1` is copies[0]. Each is the exact text,
   * as the lab gives it, never the lines it was laid out in.
   */
  copies: string[];
  /** For each action, the index in `copies` of its command, if it has one. */
  actionCopies: (number | undefined)[];
}

/** The copy key of copies[index], as shown: y1 … y9, then y0 for the tenth. */
export function copyKeyLabel(index: number): string | undefined {
  if (index < 9) return `y${index + 1}`;
  if (index === 9) return 'y0';
  return undefined;
}

function copyLabel(index: number): Line {
  const key = copyKeyLabel(index);
  return key
    ? [
        { text: key, style: style.key },
        { text: ' copies this', style: style.muted },
      ]
    : [];
}

/**
 * The scrollable body of a step: its instructions, then each action with the command a
 * student can copy and the two ways to do it, then how to reach the target from another
 * terminal. Commands are printed bare, at column 0, with no frame around them.
 */
export function stepContent(input: StepContentInput): StepContent {
  const { step, width } = input;
  const copies: string[] = [];
  const actionCopies: (number | undefined)[] = [];
  const lines: Line[] = [
    ...markdownLines(step.instructions, width, {
      // Commands and documents shown in the instructions can be copied; the rest is prose.
      codeLabel: (code) => {
        copies.push(code.replace(/\s+$/, ''));
        return copyLabel(copies.length - 1);
      },
    }),
  ];
  const actionLines: number[] = [];

  if (step.actions.length) {
    lines.push([], [{ text: 'Do it', style: style.heading }]);
    lines.push(
      ...wrapSpans(
        [
          {
            text: 'Run each command yourself in another terminal, or let labwright run it for you. Either way, the checks below judge the result.',
            style: style.muted,
          },
        ],
        width,
      ),
    );
    step.actions.forEach((action, index) => {
      lines.push([]);
      actionLines.push(lines.length);
      const command = actionCommand(action, input.vars);
      if (command !== undefined) copies.push(command);
      actionCopies.push(command === undefined ? undefined : copies.length - 1);
      lines.push(
        ...actionBlock(action, index, input, command, command ? copies.length - 1 : undefined),
      );
    });
  }

  // Every target needs the folder (the commands name files in it); local ones also the
  // lines that point the aws CLI and boto3 at them.
  const exports = Object.entries(input.shellEnv);
  lines.push([], [{ text: 'Your own terminal', style: style.heading }]);
  lines.push(
    ...wrapSpans(
      [
        {
          text: exports.length
            ? 'To run the commands yourself (the aws CLI, boto3) against this same target, paste these lines into another terminal:'
            : 'To run the commands yourself, start from this folder: it holds the lab files with your names filled in.',
          style: style.muted,
        },
      ],
      width,
    ),
  );
  const shell = [
    `cd ${shellQuote(input.workDir)}`,
    ...exports.map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    ...(input.labwrightBin ? [`labwright() { node ${shellQuote(input.labwrightBin)} "$@"; }`] : []),
  ];
  copies.push(shell.join('\n'));
  lines.push(copyLabel(copies.length - 1));
  lines.push(...highlight(shell.join('\n'), 'bash'));
  if (input.shellEnv.AWS_ENDPOINT_URL) {
    lines.push(
      ...wrapSpans(
        [
          {
            text:
              input.targetKind === 'sandbox'
                ? 'The sandbox runs only while this lab is open (or `labwright sandbox` runs): quit, and these lines point at nothing until you start it again.'
                : 'These lines point at the local endpoint the lab runs against.',
            style: style.warning,
          },
        ],
        width,
      ),
    );
  }
  if (input.sandboxPortNote)
    lines.push(...wrapSpans([{ text: input.sandboxPortNote, style: style.warning }], width));
  return { lines, actionLines, copies, actionCopies };
}

/**
 * The command shown for an action of the bound lab: its `cli:`, its shell command (with the
 * variables it reads filled in, as `solve` prints it), or the aws CLI form of its call.
 */
export function actionCommand(
  action: Action,
  vars: Readonly<Record<string, string>>,
): string | undefined {
  if (action.cli) return action.cli.trim();
  if ('shell' in action) return actionDisplay(action, vars).trim();
  if ('aws' in action) return awsCliCommand(action.aws, action.input);
  return undefined;
}

function actionBlock(
  action: Action,
  index: number,
  input: StepContentInput,
  command: string | undefined,
  copyIndex: number | undefined,
): Line[] {
  const focused = input.focusedAction === index;
  const lines: Line[] = [];
  const number = `${index + 1}. `;
  const titleStyle = focused ? { ...style.strong, ...style.focus } : style.strong;
  const key = copyIndex === undefined ? undefined : copyKeyLabel(copyIndex);
  const title: Line = [
    { text: action.title, style: titleStyle },
    ...(key
      ? [{ text: '  ' }, { text: key, style: style.key }, { text: ' copy', style: style.muted }]
      : []),
  ];
  lines.push(
    ...wrapSpans(title, input.width, {
      firstPrefix: [
        {
          text: `${focused ? glyph.pointer : ' '} ${number}`,
          style: focused ? style.key : undefined,
        },
      ],
    }),
  );

  if ('manual' in action) {
    lines.push(...markdownLines(action.manual, input.width));
  }
  if (command) {
    // Broken only between words, with `\`: pasted, it is still the command.
    lines.push(...highlight(commandLines(command, input.width).join('\n'), 'bash'));
  }
  if (action.billable) {
    lines.push([
      {
        text: `Billed on real AWS: ${action.billable.resource}, about $${action.billable.usdPerHour}/hour`,
        style: style.warning,
      },
    ]);
  }

  const status = actionStatus(
    input.actionStates.get(index),
    'manual' in action,
    input.spinner,
    focused,
  );
  if (status.length) lines.push(...wrapSpans(status, input.width));
  const state = input.actionStates.get(index);
  if (state?.kind === 'result' && state.result.output)
    lines.push(...outputLines(state.result.output, input.width));
  return lines;
}

const OUTPUT_LINES = 8;

/** What AWS answered, as the aws CLI would print it (JSON), cut to a few lines. */
function outputLines(output: Record<string, unknown>, width: number): Line[] {
  const shown = Object.fromEntries(Object.entries(output).filter(([key]) => key !== '$metadata'));
  if (Object.keys(shown).length === 0) return [];
  const json = JSON.stringify(shown, null, 2);
  const lines = wrapPreformatted(highlight(json, 'json'), width);
  if (lines.length <= OUTPUT_LINES) return lines;
  return [
    ...lines.slice(0, OUTPUT_LINES - 1),
    [{ text: `… ${lines.length - OUTPUT_LINES + 1} more lines`, style: style.muted }],
  ];
}

function actionStatus(
  state: ActionState | undefined,
  manual: boolean,
  spinner: string,
  focused: boolean,
): Line {
  if (!state) {
    if (manual) return [{ text: 'Do this by hand, then press c to check.', style: style.muted }];
    return focused
      ? [
          { text: 'enter', style: style.key },
          { text: ' run it for me   ' },
          { text: 'm', style: style.key },
          { text: ' I will do it myself' },
        ]
      : [];
  }
  switch (state.kind) {
    case 'running':
      return [
        { text: `${spinner} running…`, style: style.running },
        ...(state.note
          ? [{ text: ` not yet, trying again: ${state.note}`, style: style.muted }]
          : []),
      ];
    case 'myself':
      return [
        {
          text: 'You do this one: run the command above, then press c to check.',
          style: style.muted,
        },
      ];
    case 'result': {
      const { result } = state;
      if (result.status === 'done' || result.status === 'already-done') {
        const label = result.status === 'done' ? 'done' : 'already done';
        // The engine's message may already say it ("already done (EntityAlreadyExists)").
        const text =
          !result.message || result.message.startsWith(label)
            ? result.message || label
            : `${label}: ${result.message}`;
        return [{ text: `${glyph.passed} ${text}`, style: style.passed }];
      }
      if (result.status === 'failed') {
        return [
          { text: `${glyph.failed} failed`, style: style.failed },
          { text: `: ${result.message}` },
        ];
      }
      return [{ text: result.message || result.status, style: style.muted }];
    }
  }
}
