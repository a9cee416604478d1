import { Box, useInput, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunEvent } from '../engine/events.js';
import { checkKey } from '../engine/progress.js';
import type { Status } from '../engine/report.js';
import { LinesView } from './components/LinesView.js';
import {
  formatDuration,
  hintTarget,
  labComplete,
  resumeStepIndex,
  score,
  stepPassed,
  stepQuiz,
  stepState,
  type Verdicts,
} from './lab-state.js';
import { checksPane, type ChecksPaneInput } from './screen/checks-pane.js';
import { completionLines } from './screen/completion.js';
import { headerLines } from './screen/header.js';
import { helpLines } from './screen/help.js';
import { footerLine, type KeyHelp } from './screen/keys.js';
import { quizPane } from './screen/quiz-pane.js';
import { stepContent, type ActionState } from './screen/step-content.js';
import { stepListLines, stepStrip } from './screen/steps.js';
import type { TuiSession } from './session.js';
import { fillVars } from './text/fill.js';
import { truncateLine, wrapSpans, type Line } from './text/lines.js';
import { style } from './theme.js';
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
  onQuit: () => void;
}

type Overlay = 'help' | 'steps' | 'complete' | 'details' | undefined;

interface QuizState {
  index: number;
  chosen: number | undefined;
}

/** The guided lab: header, step strip, instructions and actions, live checks, footer. */
export function App({
  session,
  initialStep,
  watchIntervalMs = 3000,
  targetArgs = '',
  onQuit,
}: AppProps) {
  const { lab, progress } = session;
  const { columns, rows } = useTerminalSize();
  const width = Math.max(20, columns);

  const [stepIndex, setStepIndex] = useState(() => {
    const asked = lab.steps.findIndex((step) => step.id === initialStep);
    return asked >= 0 ? asked : resumeStepIndex(lab, progress.data);
  });
  const [scroll, setScroll] = useState(0);
  const [focusedAction, setFocusedAction] = useState<number | undefined>(undefined);
  // An action to scroll into view on the next render (after tab, or after one finished).
  const [revealAction, setRevealAction] = useState<number | undefined>(undefined);
  const [overlay, setOverlay] = useState<Overlay>(undefined);
  const [listSelection, setListSelection] = useState(0);
  const [watching, setWatching] = useState(false);
  const [live, setLive] = useState<Record<string, { status: Status; message: string }>>({});
  const [running, setRunning] = useState<Map<string, string | undefined>>(new Map());
  const [actionStates, setActionStates] = useState<Map<string, ActionState>>(new Map());
  const [quiz, setQuiz] = useState<QuizState | undefined>(undefined);
  const [notice, setNotice] = useState<Line | undefined>(undefined);
  // The billable action (step#index) the student was warned about, so a second enter runs it.
  const [billableAgreed, setBillableAgreed] = useState<string | undefined>(undefined);
  // Bumped after each change to the saved progress (hints, answers), to redraw from it.
  const [, setProgressVersion] = useState(0);
  const checking = useRef(false);
  const stepRef = useRef(stepIndex);
  stepRef.current = stepIndex;
  const watchingRef = useRef(watching);
  watchingRef.current = watching;

  const step = lab.steps[stepIndex] ?? lab.steps[0]!;
  const verdicts: Verdicts = { ...progress.data.checks, ...live };
  const quizOfStep = stepQuiz(step);
  const busy =
    running.size > 0 || [...actionStates.values()].some((state) => state.kind === 'running');
  const spinner = useSpinner(busy);

  // Remember the step, so a restart lands here; open its quiz if questions are unanswered.
  useEffect(() => {
    progress.setCurrentStep(step.id);
    setScroll(0);
    // No action is chosen until the student asks (tab, or enter): enter never runs one unseen.
    setFocusedAction(undefined);
    const questions = stepQuiz(step)?.questions ?? [];
    const unanswered = questions.findIndex((q) => progress.data.answers[q.id] === undefined);
    setQuiz(unanswered >= 0 ? { index: unanswered, chosen: undefined } : undefined);
  }, [step, progress]);

  const moveTo = useCallback(
    (index: number) => {
      const next = Math.max(0, Math.min(lab.steps.length - 1, index));
      if (next !== stepRef.current) setNotice(undefined);
      setStepIndex(next);
    },
    [lab.steps.length],
  );

  const runChecks = useCallback(
    async (wait = false) => {
      const index = stepRef.current;
      const current = lab.steps[index];
      if (checking.current || !current) return;
      checking.current = true;
      const wasComplete = labComplete(lab, progress.data.checks);
      const onEvent = (event: RunEvent) => {
        if (event.type === 'check-start') {
          setRunning((map) => new Map(map).set(event.checkId, undefined));
        } else if (event.type === 'check-retry') {
          setRunning((map) => new Map(map).set(event.checkId, event.message));
        } else if (event.type === 'check-done') {
          setRunning((map) => {
            const next = new Map(map);
            next.delete(event.checkId);
            return next;
          });
          setLive((all) => ({
            ...all,
            [checkKey(current.id, event.checkId)]: {
              status: event.report.status,
              message: event.report.message,
            },
          }));
        }
      };
      try {
        await session.runChecks(current.id, onEvent, { wait });
        const saved = progress.data.checks;
        if (!wasComplete && labComplete(lab, saved)) {
          setWatching(false);
          setOverlay('complete');
        } else if (stepPassed(current, saved)) {
          const nextOpen = lab.steps.findIndex((s, i) => i > index && !stepPassed(s, saved));
          if (watchingRef.current && nextOpen >= 0 && stepRef.current === index) {
            setNotice([
              {
                text: `✓ ${current.title}: passed. On to step ${nextOpen + 1}.`,
                style: style.passed,
              },
            ]);
            setStepIndex(nextOpen);
          } else {
            setNotice([
              { text: '✓ This step passed. ', style: style.passed },
              { text: 'Press n for the next step.' },
            ]);
          }
        } else {
          setNotice(undefined);
        }
      } catch (error) {
        setNotice([
          { text: `The checks could not run: ${(error as Error).message}`, style: style.error },
        ]);
      } finally {
        setRunning(new Map());
        checking.current = false;
      }
    },
    [lab, progress, session],
  );

  // Watch mode: check now, then every few seconds, until the student stops it or the lab is done.
  useEffect(() => {
    if (!watching) return;
    void runChecks(false);
    const timer = setInterval(() => void runChecks(false), watchIntervalMs);
    return () => clearInterval(timer);
  }, [watching, watchIntervalMs, runChecks]);

  const runAction = useCallback(
    async (index: number) => {
      const key = `${step.id}#${index}`;
      if (actionStates.get(key)?.kind === 'running') return;
      setActionStates((map) => new Map(map).set(key, { kind: 'running' }));
      try {
        // AWS may need a moment (a new role reaching SageMaker): say why it is still running.
        const result = await session.runAction(step.id, index, (event) => {
          if (event.type === 'action-retry') {
            setActionStates((map) =>
              new Map(map).set(key, { kind: 'running', note: event.message }),
            );
          }
        });
        setActionStates((map) => new Map(map).set(key, { kind: 'result', result }));
        const last = index === step.actions.length - 1;
        if (!last) {
          setFocusedAction(index + 1);
          setRevealAction(index + 1);
        }
        // After the step's last action, check; wait, as AWS may take a moment to show the change.
        else void runChecks(true);
      } catch (error) {
        const message = (error as Error).message;
        setActionStates((map) =>
          new Map(map).set(key, {
            kind: 'result',
            result: { status: 'failed', title: '', message },
          }),
        );
      }
    },
    [actionStates, runChecks, session, step],
  );

  /** Past the last step: the completion screen, or what is left to do. */
  const showEnd = () => {
    if (labComplete(lab, verdicts)) {
      setOverlay('complete');
      return;
    }
    const open = lab.steps
      .map((s, i) => (!s.optional && !stepPassed(s, verdicts) ? String(i + 1) : ''))
      .filter(Boolean);
    setNotice([
      {
        text: `This is the last step. Still to pass: step${open.length > 1 ? 's' : ''} ${open.join(', ')}.`,
        style: style.muted,
      },
    ]);
  };

  const showHint = () => {
    const check = hintTarget(step, verdicts, (id) => progress.hintsSeen(step.id, id));
    if (!check) {
      setNotice([
        {
          text: step.checks.length
            ? 'No hints left to show: the checks with hints have passed.'
            : 'This step has no hints.',
          style: style.muted,
        },
      ]);
      return;
    }
    const before = progress.hintsSeen(step.id, check.id);
    if (before >= check.hints.length) {
      setNotice([
        { text: `That was the last hint for "${check.title ?? check.id}".`, style: style.muted },
      ]);
      return;
    }
    progress.recordHint(step.id, check.id, check.hints.length);
    setNotice(undefined);
    setProgressVersion((n) => n + 1);
  };

  const answerQuiz = (choice: number) => {
    if (!quiz || !quizOfStep) return;
    const question = quizOfStep.questions[quiz.index];
    if (!question || quiz.chosen !== undefined || choice >= question.choices.length) return;
    progress.recordAnswer(question.id, choice);
    setQuiz({ ...quiz, chosen: choice });
  };

  const nextQuestion = () => {
    if (!quiz || !quizOfStep) return;
    const next = quiz.index + 1;
    if (next < quizOfStep.questions.length) {
      setQuiz({ index: next, chosen: undefined });
    } else {
      setQuiz(undefined);
      void runChecks(false);
    }
  };

  // Layout: header (2), step strip (1), body, footer (1); the body is the scrolling
  // content, a rule, and the checks (or quiz) pane, which always stays in view.
  const header = headerLines(lab.title, session.target, ...scoreOf(lab, verdicts), width);
  const states = lab.steps.map((s, i) => stepState(s, verdicts, i === stepIndex));
  const strip = stepStrip(lab, states, stepIndex, width);
  const bodyHeight = Math.max(3, rows - 4);

  const content = useMemo(
    () =>
      stepContent({
        step,
        vars: session.vars,
        width,
        focusedAction,
        actionStates: new Map(
          [...actionStates]
            .filter(([key]) => key.startsWith(`${step.id}#`))
            .map(([key, value]) => [Number(key.split('#')[1]), value]),
        ),
        spinner,
        shellEnv: session.shellEnv,
        workDir: session.workDir,
      }),
    [step, session, width, focusedAction, actionStates, spinner],
  );

  // The checks as the pane and the details overlay both show them.
  const checksInput: ChecksPaneInput = {
    step,
    verdicts,
    running,
    hintsSeen: (id) => progress.hintsSeen(step.id, id),
    vars: session.vars,
    spinner,
    watching,
    width,
  };
  const paneMax = Math.max(2, bodyHeight - Math.min(8, Math.floor(bodyHeight / 2)) - 1);
  const noticeLines = notice ? wrapSpans(notice, width) : [];
  let pane: Line[] = [];
  if (quiz && quizOfStep) {
    pane = quizPane({
      questions: quizOfStep.questions,
      index: quiz.index,
      chosen: quiz.chosen,
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
  const top = Math.min(scroll, maxScroll);

  // Bring a chosen action into view, with a line above it for context.
  useEffect(() => {
    if (revealAction === undefined) return;
    const at = content.actionLines[revealAction] ?? 0;
    if (at < top || at + 5 > top + contentHeight)
      setScroll(Math.max(0, Math.min(maxScroll, at - 1)));
    setRevealAction(undefined);
  }, [revealAction, content, top, contentHeight, maxScroll]);

  const scrollBy = (delta: number) => setScroll(Math.max(0, Math.min(maxScroll, top + delta)));

  const onKey = (input: string, key: Key) => {
    if (key.ctrl && input === 'c') {
      onQuit();
      return;
    }
    if (overlay === 'help' || overlay === 'details') {
      setOverlay(undefined);
      return;
    }
    if (overlay === 'complete') {
      if (input === 'q') onQuit();
      else if (key.return || key.escape) setOverlay(undefined);
      return;
    }
    if (overlay === 'steps') {
      if (key.escape || input === 's' || input === 'q') setOverlay(undefined);
      else if (key.upArrow || input === 'k') setListSelection((n) => Math.max(0, n - 1));
      else if (key.downArrow || input === 'j')
        setListSelection((n) => Math.min(lab.steps.length - 1, n + 1));
      else if (key.return) {
        moveTo(listSelection);
        setOverlay(undefined);
      } else if (/^[1-9]$/.test(input) && Number(input) <= lab.steps.length) {
        moveTo(Number(input) - 1);
        setOverlay(undefined);
      }
      return;
    }

    if (quiz && quizOfStep) {
      if (/^[1-9]$/.test(input)) {
        answerQuiz(Number(input) - 1);
        return;
      }
      if (key.return && quiz.chosen !== undefined) {
        nextQuestion();
        return;
      }
    }

    if (input === 'q') onQuit();
    else if (input === '?') setOverlay('help');
    else if (input === 'd') setOverlay('details');
    else if (input === 's') {
      setListSelection(stepIndex);
      setOverlay('steps');
    } else if (input === 'n' || key.rightArrow) {
      if (stepIndex === lab.steps.length - 1) showEnd();
      else moveTo(stepIndex + 1);
    } else if (input === 'p' || key.leftArrow) moveTo(stepIndex - 1);
    else if (key.downArrow || input === 'j') scrollBy(1);
    else if (key.upArrow || input === 'k') scrollBy(-1);
    else if (key.pageDown || input === ' ') scrollBy(Math.max(1, contentHeight - 2));
    else if (key.pageUp) scrollBy(-Math.max(1, contentHeight - 2));
    else if (key.home) setScroll(0);
    else if (key.end) setScroll(maxScroll);
    else if (key.tab && step.actions.length) {
      const count = step.actions.length;
      const from = focusedAction ?? (key.shift ? 0 : -1);
      const next = (from + (key.shift ? -1 : 1) + count) % count;
      setFocusedAction(next);
      setRevealAction(next);
      setBillableAgreed(undefined);
    } else if (key.return && focusedAction === undefined && step.actions.length) {
      setFocusedAction(0);
      setRevealAction(0);
    } else if (key.return && focusedAction !== undefined) {
      const action = step.actions[focusedAction];
      if (!action || 'manual' in action) return;
      const actionKey = `${step.id}#${focusedAction}`;
      // On real AWS, something billed is created only after a second, deliberate enter.
      if (action.billable && session.target.kind === 'aws' && billableAgreed !== actionKey) {
        setBillableAgreed(actionKey);
        const resource = fillVars(action.billable.resource, session.vars);
        setNotice([
          {
            text: `This creates ${resource} in account ${session.target.account}, billed about $${action.billable.usdPerHour}/hour until you delete it. `,
            style: style.warning,
          },
          { text: 'Press enter again to run it.' },
        ]);
        return;
      }
      setBillableAgreed(undefined);
      setNotice(undefined);
      void runAction(focusedAction);
    } else if (input === 'm' && focusedAction !== undefined) {
      setActionStates((map) => new Map(map).set(`${step.id}#${focusedAction}`, { kind: 'myself' }));
      if (focusedAction < step.actions.length - 1) {
        setFocusedAction(focusedAction + 1);
        setRevealAction(focusedAction + 1);
      }
    } else if (input === 'c') void runChecks(false);
    else if (input === 'w') {
      setWatching((on) => !on);
      setNotice(watching ? [{ text: 'Watch mode off.', style: style.muted }] : undefined);
    } else if (input === 'h') showHint();
    else if (input === 'a' && quizOfStep) setQuiz({ index: 0, chosen: undefined });
  };
  // Keys are handled one per render, in order: each sees the state the previous one left,
  // however fast they come (a paste, a fast typist, a loaded machine).
  const [pendingKeys, setPendingKeys] = useState<{ input: string; key: Key }[]>([]);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') onQuit();
    else setPendingKeys((queue) => [...queue, { input, key }]);
  });
  useEffect(() => {
    const [next] = pendingKeys;
    if (!next) return;
    setPendingKeys((queue) => queue.slice(1));
    onKey(next.input, next.key);
    // Runs when a key arrives or the previous one is done; onKey is this render's own.
  }, [pendingKeys]);

  let body: Line[];
  if (overlay === 'help') body = helpLines(width);
  else if (overlay === 'details') {
    const full = checksPane(checksInput);
    body = [...full, [], [{ text: 'Press any key to go back.', style: style.muted }]];
  } else if (overlay === 'steps')
    body = stepListLines(lab, states, listSelection, stepIndex, width);
  else if (overlay === 'complete') {
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
      width,
    });
  } else {
    const visible = content.lines.slice(top, top + contentHeight);
    while (visible.length < contentHeight) visible.push([]);
    body = [
      ...visible,
      ruleLine(width, top, maxScroll, content.lines.length > contentHeight),
      ...pane,
    ];
  }
  body = body.slice(0, bodyHeight);
  while (body.length < bodyHeight) body.push([]);

  const keys = footerKeys({
    quiz: Boolean(quiz && quizOfStep),
    hasActions: step.actions.length > 0,
    watching,
    overlay,
  });
  const screen = [...header, strip, ...body, footerLine(keys, width)].map((line) =>
    truncateLine(line, width),
  );
  return (
    <Box flexDirection="column" width={width}>
      <LinesView lines={screen} />
    </Box>
  );
}

function scoreOf(lab: TuiSession['lab'], verdicts: Verdicts): [number, number] {
  const { earned, possible } = score(lab, verdicts);
  return [earned, possible];
}

/** The line between instructions and checks; says when there is more to scroll. */
function ruleLine(width: number, top: number, maxScroll: number, scrollable: boolean): Line {
  if (!scrollable) return [{ text: '─'.repeat(width), style: style.muted }];
  const where =
    top >= maxScroll ? ' end ' : ` ↓ more ${Math.round((top / Math.max(1, maxScroll)) * 100)}% `;
  return [
    { text: '─'.repeat(Math.max(0, width - where.length - 2)), style: style.muted },
    { text: where, style: style.muted },
    { text: '──', style: style.muted },
  ];
}

function footerKeys(state: {
  quiz: boolean;
  hasActions: boolean;
  watching: boolean;
  overlay: Overlay;
}): KeyHelp[] {
  // Overlays say their own keys; the footer keeps only help and quit.
  if (state.overlay) return [];
  if (state.quiz) {
    return [
      { key: '1-9', label: 'answer' },
      { key: 'enter', label: 'next' },
      { key: 'n/p', label: 'step' },
      { key: 's', label: 'steps' },
    ];
  }
  // Most useful first: the footer keeps as many as the width allows.
  return [
    ...(state.hasActions
      ? [
          { key: 'tab', label: 'action' },
          { key: 'enter', label: 'run' },
        ]
      : []),
    { key: 'c', label: 'check' },
    { key: 'w', label: state.watching ? 'unwatch' : 'watch' },
    { key: 'h', label: 'hint' },
    { key: 'n/p', label: 'step' },
    ...(state.hasActions ? [{ key: 'm', label: 'myself' }] : []),
    { key: 's', label: 'steps' },
    { key: '↑↓', label: 'scroll' },
  ];
}
