import { Box, useInput, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { copyWithOsc52 } from './clipboard.js';
import { LinesView } from './components/LinesView.js';
import {
  formatDuration,
  hintTarget,
  resumeStepIndex,
  score,
  stepQuiz,
  stepState,
  type Verdicts,
} from './lab-state.js';
import {
  initialScreen,
  reduceScreen,
  screenMode,
  type Request,
  type ScreenContext,
  type ScreenEvent,
  type ScreenState,
} from './lab-screen.js';
import { checksPane, type ChecksPaneInput } from './screen/checks-pane.js';
import { completionLines } from './screen/completion.js';
import { headerLines } from './screen/header.js';
import { helpLines } from './screen/help.js';
import { footerKeys, footerLine } from './screen/keys.js';
import { quizPane } from './screen/quiz-pane.js';
import { stepContent } from './screen/step-content.js';
import { stepListLines, stepStrip } from './screen/steps.js';
import type { TuiSession } from './session.js';
import { lineWidth, sliceLine, truncateLine, wrapSpans, type Line } from './text/lines.js';
import { style } from './theme.js';
import { useActions } from './use-actions.js';
import { useChecks, useWatch } from './use-checks.js';
import { useSpinner } from './use-spinner.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface AppProps {
  session: TuiSession;
  /** `--step ID`: open this step instead of where the student left off. */
  initialStep?: string;
  /** How often watch mode re-checks. */
  watchIntervalMs?: number;
  /** Target options to repeat in the `labwright reset` line, e.g. "--target aws". */
  targetArgs?: string;
  /** How the student runs labwright: `labwright`, or `npx labwright` when it is not on the PATH. */
  command?: string;
  /** Puts text on the clipboard; OSC 52 to the terminal by default. */
  copy?: (text: string) => void;
  onQuit: () => void;
}

/** The port the sandbox listens on when it can; another when that one is taken. */
const SANDBOX_PORT = '4566';

/**
 * The guided lab: header, step strip, instructions and actions, live checks, footer. A thin
 * shell: the screen state moves in lab-screen.ts, one event at a time; keys mean what the key
 * table (screen/keys.ts) says; checks and actions run in their hooks.
 */
export function App({
  session,
  initialStep,
  watchIntervalMs = 3000,
  targetArgs = '',
  command = 'labwright',
  copy = copyWithOsc52,
  onQuit,
}: AppProps) {
  const { lab, progress } = session;
  const { columns, rows } = useTerminalSize();
  const width = Math.max(20, columns);
  // Bumped after each change to the saved progress (hints, answers), to redraw from it.
  const [, setProgressVersion] = useState(0);

  const portNote = sandboxPortNote(session);
  const ctxRef = useRef<ScreenContext>({
    lab,
    verdicts: progress.data.checks,
    answers: progress.data.answers,
    target: session.target,
    contentHeight: 1,
    maxScroll: 0,
    maxSideways: 0,
    copies: [],
    actionCopies: [],
  });
  const [state, dispatch] = useReducer(
    (current: ScreenState, event: ScreenEvent) => reduceScreen(current, event, ctxRef.current),
    undefined,
    () => {
      const asked = lab.steps.findIndex((step) => step.id === initialStep);
      const index = asked >= 0 ? asked : resumeStepIndex(lab, progress.data);
      return initialScreen(
        ctxRef.current,
        index,
        portNote ? [{ text: portNote, style: style.warning }] : undefined,
      );
    },
  );

  const checks = useChecks(session, {
    onDone: (outcome) => dispatch({ type: 'checks-done', ...outcome }),
    onError: (message) => dispatch({ type: 'checks-failed', message }),
  });
  const actions = useActions(session, (stepIndex, index, ok) =>
    dispatch({ type: 'action-done', stepIndex, index, ok }),
  );
  useWatch(state.watching, watchIntervalMs, () => void checks.runChecks(state.stepIndex, false));

  const step = lab.steps[state.stepIndex] ?? lab.steps[0]!;
  const verdicts: Verdicts = { ...progress.data.checks, ...checks.live };
  const busy =
    checks.running.size > 0 ||
    [...actions.states.values()].some((actionState) => actionState.kind === 'running');
  const spinner = useSpinner(busy);

  // Remember the step, so a restart lands here.
  useEffect(() => progress.setCurrentStep(step.id), [step, progress]);

  // What the screen asks for, in order: the hooks do it.
  const perform = useCallback(
    (request: Request) => {
      switch (request.kind) {
        case 'quit':
          onQuit();
          break;
        case 'check':
          void checks.runChecks(request.stepIndex, request.wait);
          break;
        case 'action':
          void actions.runAction(request.stepIndex, request.index);
          break;
        case 'myself':
          actions.doMyself(request.stepIndex, request.index);
          break;
        case 'copy':
          copy(request.text);
          break;
        case 'answer':
          progress.recordAnswer(request.questionId, request.choice);
          setProgressVersion((n) => n + 1);
          break;
        case 'hint':
          dispatch({ type: 'notice', notice: takeHint(session, request.stepIndex, verdicts) });
          setProgressVersion((n) => n + 1);
          break;
      }
    },
    [actions, checks, copy, onQuit, progress, session, verdicts],
  );
  useEffect(() => {
    if (!state.requests.length) return;
    for (const request of state.requests) perform(request);
    dispatch({ type: 'requests-done', upTo: state.requests[state.requests.length - 1]!.id });
    // Each request once: they leave the state as soon as they are done.
  }, [state.requests]);

  // Layout: header (2), step strip (1), body, footer (1); the body is the scrolling
  // content, a rule, and the checks (or quiz) pane, which always stays in view.
  const header = headerLines(lab.title, session.target, ...scoreOf(lab, verdicts), width);
  const states = lab.steps.map((s, i) => stepState(s, verdicts, i === state.stepIndex));
  const strip = stepStrip(lab, states, state.stepIndex, width);
  const bodyHeight = Math.max(3, rows - 4);

  const content = useMemo(
    () =>
      stepContent({
        step,
        vars: session.vars,
        width,
        focusedAction: state.focusedAction,
        actionStates: new Map(
          [...actions.states]
            .filter(([key]) => key.startsWith(`${step.id}#`))
            .map(([key, value]) => [Number(key.split('#')[1]), value]),
        ),
        spinner,
        shellEnv: session.shellEnv,
        workDir: session.workDir,
        targetKind: session.target.kind,
        ...(portNote ? { sandboxPortNote: portNote } : {}),
        ...(command === 'labwright' ? {} : { labwrightBin: labwrightBin() }),
      }),
    [step, session, width, state.focusedAction, actions.states, spinner, portNote, command],
  );

  // The checks as the pane and the details overlay both show them.
  const checksInput: ChecksPaneInput = {
    step,
    verdicts,
    running: checks.running,
    hintsSeen: (id) => progress.hintsSeen(step.id, id),
    spinner,
    watching: state.watching,
    width,
  };
  const quizOfStep = stepQuiz(step);
  const paneMax = Math.max(2, bodyHeight - Math.min(8, Math.floor(bodyHeight / 2)) - 1);
  const noticeLines = state.notice ? wrapSpans(state.notice, width) : [];
  let pane: Line[] = [];
  if (state.quiz && quizOfStep) {
    pane = quizPane({
      questions: quizOfStep.questions,
      index: state.quiz.index,
      chosen: state.quiz.chosen,
      width,
    });
  } else {
    // Failure messages shrink before anything is cut, so the hints stay in view.
    for (const messageLines of [3, 2, 1]) {
      pane = checksPane({ ...checksInput, messageLines });
      if (pane.length + noticeLines.length <= paneMax) break;
    }
  }
  pane = [...pane, ...noticeLines];
  if (pane.length > paneMax)
    pane = [...pane.slice(0, paneMax - 1), [{ text: '… (d: details)', style: style.muted }]];
  const contentHeight = Math.max(1, bodyHeight - pane.length - 1);
  const maxScroll = Math.max(0, content.lines.length - contentHeight);
  const top = Math.min(state.scroll, maxScroll);
  const widest = Math.max(0, ...content.lines.map(lineWidth));
  ctxRef.current = {
    lab,
    verdicts,
    answers: progress.data.answers,
    target: session.target,
    contentHeight,
    maxScroll,
    maxSideways: Math.max(0, widest - width + 1),
    copies: content.copies,
    actionCopies: content.actionCopies,
  };

  // Bring a chosen action into view, with a line above it for context.
  useEffect(() => {
    if (state.revealAction === undefined) return;
    const line = content.actionLines[state.revealAction] ?? 0;
    // The whole action (its command, the keys to run it), up to the blank line after it.
    const next = content.actionLines[state.revealAction + 1] ?? content.lines.length;
    dispatch({ type: 'revealed', action: state.revealAction, line, end: next - 1 });
  }, [state.revealAction, content]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      onQuit();
      return;
    }
    for (const [one, oneKey] of splitBurst(input, key))
      dispatch({ type: 'key', input: one, key: oneKey });
  });

  const mode = screenMode(state, ctxRef.current);
  let body: Line[];
  if (state.overlay === 'help') body = helpLines(width);
  else if (state.overlay === 'details') {
    const full = checksPane(checksInput);
    body = [...full, [], [{ text: 'Press any key to go back.', style: style.muted }]];
  } else if (state.overlay === 'steps')
    body = stepListLines(lab, states, state.listSelection, state.stepIndex, width);
  else if (state.overlay === 'complete') {
    const [earned, possible] = scoreOf(lab, verdicts);
    const data = progress.data;
    const ended = data.completedAt ? Date.parse(data.completedAt) : Date.now();
    body = completionLines({
      labId: lab.id,
      title: lab.title,
      earned,
      possible,
      hintsUsed: progress.hintsUsed(),
      timeTaken: formatDuration(ended - Date.parse(data.startedAt)),
      targetArgs,
      command,
      width,
    });
  } else {
    const visible = content.lines
      .slice(top, top + contentHeight)
      // Lines wider than the screen (long commands, never broken inside a word) scroll sideways.
      .map((line) => (lineWidth(line) > width ? sliceLine(line, state.sideways) : line));
    while (visible.length < contentHeight) visible.push([]);
    body = [
      ...visible,
      ruleLine(width, top, maxScroll, content.lines.length > contentHeight, widest > width),
      ...pane,
    ];
  }
  body = body.slice(0, bodyHeight);
  while (body.length < bodyHeight) body.push([]);

  const keys = footerKeys(mode, { hasActions: step.actions.length > 0, watching: state.watching });
  const screen = [...header, strip, ...body, footerLine(keys, width)].map((line) =>
    truncateLine(line, width),
  );
  return (
    <Box flexDirection="column" width={width}>
      <LinesView lines={screen} />
    </Box>
  );
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * Keys typed faster than the terminal is read (`ppp`, a paste) arrive as one string: each
 * character is a key of its own, handled in order.
 */
export function splitBurst(input: string, key: Key): [string, Key][] {
  if (input.length <= 1 || key.ctrl || key.meta || input.includes('\u001B')) return [[input, key]];
  return [...input].map((char) => [
    char,
    { ...NO_KEY, return: char === '\r' || char === '\n', tab: char === '\t' },
  ]);
}

/** This labwright's own entry point, for a terminal where `labwright` is not on the PATH. */
function labwrightBin(): string {
  return path.join(packageRoot(), 'bin', 'labwright.js');
}

/** When the sandbox could not have its usual port, where it is instead. */
function sandboxPortNote(session: TuiSession): string | undefined {
  if (session.target.kind !== 'sandbox') return undefined;
  const endpoint = session.shellEnv.AWS_ENDPOINT_URL ?? session.target.endpoint;
  if (!endpoint) return undefined;
  let port: string;
  try {
    port = new URL(endpoint).port;
  } catch {
    return undefined;
  }
  if (!port || port === SANDBOX_PORT) return undefined;
  return `Port ${SANDBOX_PORT} was taken, so the sandbox listens on port ${port}: point your own terminal at ${endpoint} (the export lines at the end of each step do).`;
}

/** `h`: records the next hint of the first open check, or says why there is none. */
function takeHint(session: TuiSession, stepIndex: number, verdicts: Verdicts): Line | undefined {
  const step = session.lab.steps[stepIndex];
  if (!step) return undefined;
  const { progress } = session;
  const check = hintTarget(step, verdicts, (id) => progress.hintsSeen(step.id, id));
  if (!check) {
    return [
      {
        text: step.checks.length
          ? 'No hints left to show: the checks with hints have passed.'
          : 'This step has no hints.',
        style: style.muted,
      },
    ];
  }
  if (progress.hintsSeen(step.id, check.id) >= check.hints.length) {
    return [
      {
        text: `That was the last hint for "${check.title ?? check.id}".`,
        style: style.muted,
      },
    ];
  }
  progress.recordHint(step.id, check.id, check.hints.length);
  return undefined;
}

function scoreOf(lab: TuiSession['lab'], verdicts: Verdicts): [number, number] {
  const { earned, possible } = score(lab, verdicts);
  return [earned, possible];
}

/** The line between instructions and checks; says when there is more to scroll, and sideways. */
function ruleLine(
  width: number,
  top: number,
  maxScroll: number,
  scrollable: boolean,
  wide: boolean,
): Line {
  const side = wide ? ' < > sideways ' : '';
  const where = !scrollable
    ? ''
    : top >= maxScroll
      ? ' end '
      : ` ↓ more ${Math.round((top / Math.max(1, maxScroll)) * 100)}% `;
  const label = `${side}${where}`;
  if (!label) return [{ text: '─'.repeat(width), style: style.muted }];
  return [
    { text: '─'.repeat(Math.max(0, width - label.length - 2)), style: style.muted },
    { text: label, style: style.muted },
    { text: '──', style: style.muted },
  ];
}
