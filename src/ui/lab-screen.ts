import type { Key } from 'ink';
import type { BoundLab } from '../engine/bound-lab.js';
import { labComplete, stepPassed, stepQuiz, type Verdicts } from './lab-state.js';
import { eventForKey, type KeyEvent, type Mode } from './screen/keys.js';
import type { Line } from './text/lines.js';
import { style } from './theme.js';

/**
 * The lab screen's state and the pure reducer that moves it, one event at a time: keys (looked
 * up in the key table) and what the hooks report (checks done, an action done). What the
 * screen cannot do by itself (run checks, run an action, copy, record an answer, quit) it asks
 * for in `requests`, which the hooks carry out in order.
 */

export type Overlay = 'help' | 'steps' | 'complete' | 'details' | undefined;

export interface QuizState {
  index: number;
  /** The answer shown for questions[index]: the one just given, or the one given before. */
  chosen: number | undefined;
}

export type Request = { id: number; stepIndex: number } & (
  | { kind: 'quit' }
  | { kind: 'check'; wait: boolean }
  | { kind: 'action'; index: number }
  | { kind: 'myself'; index: number }
  | { kind: 'copy'; text: string }
  | { kind: 'hint' }
  | { kind: 'answer'; questionId: string; choice: number }
);

type NewRequest = Request extends infer R
  ? R extends Request
    ? Omit<R, 'id' | 'stepIndex'>
    : never
  : never;

export interface ScreenState {
  stepIndex: number;
  scroll: number;
  /** Columns scrolled sideways, for lines wider than the screen. */
  sideways: number;
  focusedAction: number | undefined;
  /** An action to scroll into view on the next render (after tab, or after one finished). */
  revealAction: number | undefined;
  overlay: Overlay;
  /** `y` was pressed: the next key says what to copy. */
  copying: boolean;
  listSelection: number;
  watching: boolean;
  quiz: QuizState | undefined;
  notice: Line | undefined;
  /** The billable action (step#index) the student was warned about, so a second enter runs it. */
  billableAgreed: string | undefined;
  requests: Request[];
  nextRequestId: number;
}

/** What the reducer reads but does not own: the lab, the saved progress, the last layout. */
export interface ScreenContext {
  lab: BoundLab;
  verdicts: Verdicts;
  answers: Readonly<Record<string, number>>;
  target: { kind: 'sandbox' | 'endpoint' | 'aws'; account: string };
  /** Lines of instructions that fit on screen, and how far they can scroll. */
  contentHeight: number;
  maxScroll: number;
  /** The widest line of the step, to bound scrolling sideways. */
  maxSideways: number;
  /** What y1, y2, … copy, and which of them is each action's command. */
  copies: readonly string[];
  actionCopies: readonly (number | undefined)[];
}

export type ScreenEvent =
  | { type: 'key'; input: string; key: Key }
  | { type: 'requests-done'; upTo: number }
  | {
      type: 'checks-done';
      stepIndex: number;
      /** The lab became complete with this run. */
      completed: boolean;
      /** The saved verdicts after the run. */
      verdicts: Verdicts;
    }
  | { type: 'checks-failed'; message: string }
  | { type: 'action-done'; stepIndex: number; index: number; ok: boolean }
  | { type: 'notice'; notice: Line | undefined }
  /** Where the action to reveal starts and ends, now that the screen is laid out. */
  | { type: 'revealed'; action: number; line: number; end: number };

export function initialScreen(ctx: ScreenContext, stepIndex: number, notice?: Line): ScreenState {
  return {
    stepIndex,
    scroll: 0,
    sideways: 0,
    focusedAction: undefined,
    revealAction: undefined,
    overlay: undefined,
    copying: false,
    listSelection: 0,
    watching: false,
    quiz: openQuiz(ctx, stepIndex),
    notice,
    billableAgreed: undefined,
    requests: [],
    nextRequestId: 1,
  };
}

/** What the keys mean now. */
export function screenMode(state: ScreenState, ctx: ScreenContext): Mode {
  if (state.overlay) return state.overlay;
  if (state.copying) return 'copy';
  const step = ctx.lab.steps[state.stepIndex];
  return state.quiz && step && stepQuiz(step) ? 'quiz' : 'lab';
}

export function reduceScreen(
  state: ScreenState,
  event: ScreenEvent,
  ctx: ScreenContext,
): ScreenState {
  switch (event.type) {
    case 'key': {
      const keyEvent = eventForKey(screenMode(state, ctx), event.input, event.key);
      return keyEvent ? onKey(state, keyEvent, ctx) : state;
    }
    case 'requests-done':
      return { ...state, requests: state.requests.filter((r) => r.id > event.upTo) };
    case 'notice':
      return { ...state, notice: event.notice };
    case 'revealed': {
      // Another action was chosen meanwhile (keys in a burst): that one is revealed next.
      if (event.action !== state.revealAction) return state;
      // Into view, with a line above it for context.
      const top = Math.min(state.scroll, ctx.maxScroll);
      const bottom = Math.max(
        event.line + 5,
        Math.min(event.end, event.line + ctx.contentHeight - 1),
      );
      const inView = event.line >= top && bottom <= top + ctx.contentHeight;
      const shown = inView ? state : scrollTo(state, event.line - 1, ctx);
      return { ...shown, revealAction: undefined };
    }
    case 'checks-failed':
      return {
        ...state,
        notice: [{ text: `The checks could not run: ${event.message}`, style: style.error }],
      };
    case 'checks-done':
      return afterChecks(state, event, ctx);
    case 'action-done': {
      if (event.stepIndex !== state.stepIndex) return state;
      const count = ctx.lab.steps[state.stepIndex]?.actions.length ?? 0;
      const last = event.index === count - 1;
      // Checks again after every action, so the checks agree with what was just done; after
      // the last one, wait: AWS may take a moment to show the change.
      const next = request(state, { kind: 'check', wait: last && event.ok });
      return last || !event.ok
        ? next
        : { ...next, focusedAction: event.index + 1, revealAction: event.index + 1 };
    }
  }
}

function request(state: ScreenState, r: NewRequest): ScreenState {
  return {
    ...state,
    requests: [
      ...state.requests,
      { ...r, id: state.nextRequestId, stepIndex: state.stepIndex } as Request,
    ],
    nextRequestId: state.nextRequestId + 1,
  };
}

/** The quiz of a step, opened at its first unanswered question, if any is unanswered. */
function openQuiz(ctx: ScreenContext, stepIndex: number): QuizState | undefined {
  const step = ctx.lab.steps[stepIndex];
  const questions = step ? (stepQuiz(step)?.questions ?? []) : [];
  const unanswered = questions.findIndex((q) => ctx.answers[q.id] === undefined);
  return unanswered >= 0 ? { index: unanswered, chosen: undefined } : undefined;
}

function moveTo(state: ScreenState, index: number, ctx: ScreenContext): ScreenState {
  const next = Math.max(0, Math.min(ctx.lab.steps.length - 1, index));
  if (next === state.stepIndex) return state;
  return {
    ...state,
    stepIndex: next,
    scroll: 0,
    sideways: 0,
    // No action is chosen until the student asks (tab, or enter): enter never runs one unseen.
    focusedAction: undefined,
    revealAction: undefined,
    billableAgreed: undefined,
    notice: undefined,
    quiz: openQuiz(ctx, next),
  };
}

function afterChecks(
  state: ScreenState,
  event: { stepIndex: number; completed: boolean; verdicts: Verdicts },
  ctx: ScreenContext,
): ScreenState {
  if (event.completed) return { ...state, watching: false, overlay: 'complete' };
  const step = ctx.lab.steps[event.stepIndex];
  if (!step || !stepPassed(step, event.verdicts)) {
    return event.stepIndex === state.stepIndex ? { ...state, notice: undefined } : state;
  }
  const nextOpen = ctx.lab.steps.findIndex(
    (s, i) => i > event.stepIndex && !stepPassed(s, event.verdicts),
  );
  if (state.watching && nextOpen >= 0 && state.stepIndex === event.stepIndex) {
    return {
      ...moveTo(state, nextOpen, ctx),
      notice: [
        { text: `✓ ${step.title}: passed. On to step ${nextOpen + 1}.`, style: style.passed },
      ],
    };
  }
  if (event.stepIndex !== state.stepIndex) return state;
  return {
    ...state,
    notice: [
      { text: '✓ This step passed. ', style: style.passed },
      { text: 'Press n for the next step.' },
    ],
  };
}

function scrollTo(state: ScreenState, scroll: number, ctx: ScreenContext): ScreenState {
  return { ...state, scroll: Math.max(0, Math.min(ctx.maxScroll, scroll)) };
}

function onKey(state: ScreenState, event: KeyEvent, ctx: ScreenContext): ScreenState {
  const step = ctx.lab.steps[state.stepIndex];
  if (!step) return state;
  const top = Math.min(state.scroll, ctx.maxScroll);
  const page = Math.max(1, ctx.contentHeight - 2);

  // The overlays and the copy prompt first: they take their own keys.
  if (state.overlay === 'help' || state.overlay === 'details')
    return { ...state, overlay: undefined };
  if (state.overlay === 'complete') {
    if (event.type === 'quit') return request(state, { kind: 'quit' });
    return event.type === 'back' ? { ...state, overlay: undefined } : state;
  }
  if (state.overlay === 'steps') {
    if (event.type === 'back') return { ...state, overlay: undefined };
    if (event.type === 'list-move') {
      const listSelection = Math.max(
        0,
        Math.min(ctx.lab.steps.length - 1, state.listSelection + event.by),
      );
      return { ...state, listSelection };
    }
    if (event.type === 'enter')
      return { ...moveTo(state, state.listSelection, ctx), overlay: undefined };
    if (event.type === 'number' && event.value >= 1 && event.value <= ctx.lab.steps.length)
      return { ...moveTo(state, event.value - 1, ctx), overlay: undefined };
    return state;
  }
  if (state.copying) return copy(state, event, ctx);

  const quiz = stepQuiz(step);
  switch (event.type) {
    case 'quit':
      return request(state, { kind: 'quit' });
    case 'help':
      return { ...state, overlay: 'help' };
    case 'details':
      return { ...state, overlay: 'details' };
    case 'steps':
      return { ...state, overlay: 'steps', listSelection: state.stepIndex };
    case 'next-step':
      if (state.stepIndex === ctx.lab.steps.length - 1) return showEnd(state, ctx);
      return moveTo(state, state.stepIndex + 1, ctx);
    case 'previous-step':
      return moveTo(state, state.stepIndex - 1, ctx);
    case 'scroll': {
      const { lines } = event;
      if (lines === 'top') return scrollTo(state, 0, ctx);
      if (lines === 'end') return scrollTo(state, ctx.maxScroll, ctx);
      if (lines === 'page') return scrollTo(state, top + page, ctx);
      if (lines === '-page') return scrollTo(state, top - page, ctx);
      return scrollTo(state, top + lines, ctx);
    }
    case 'sideways': {
      const sideways = Math.max(
        0,
        Math.min(ctx.maxSideways, state.sideways + event.direction * 20),
      );
      return { ...state, sideways };
    }
    case 'next-action': {
      const count = step.actions.length;
      if (!count) return state;
      const from = state.focusedAction ?? (event.direction < 0 ? 0 : -1);
      const next = (from + event.direction + count) % count;
      return { ...state, focusedAction: next, revealAction: next, billableAgreed: undefined };
    }
    case 'enter':
      if (state.quiz && quiz && state.quiz.chosen !== undefined) return nextQuestion(state, ctx);
      return enter(state, ctx);
    case 'myself': {
      if (state.focusedAction === undefined) return state;
      const next = state.focusedAction + 1;
      const moved =
        next < step.actions.length ? { ...state, focusedAction: next, revealAction: next } : state;
      return request(
        { ...moved, notice: undefined, billableAgreed: undefined },
        { kind: 'myself', index: state.focusedAction },
      );
    }
    case 'check':
      return request(state, { kind: 'check', wait: false });
    case 'watch':
      return {
        ...state,
        watching: !state.watching,
        notice: state.watching ? [{ text: 'Watch mode off.', style: style.muted }] : undefined,
      };
    case 'hint':
      return request(state, { kind: 'hint' });
    case 'quiz': {
      const questions = quiz?.questions;
      if (!questions?.length) return state;
      const first = questions[0]!;
      return { ...state, quiz: { index: 0, chosen: ctx.answers[first.id] } };
    }
    case 'number':
      return answer(state, event.value - 1, ctx);
    case 'copy':
      return {
        ...state,
        copying: true,
        notice: ctx.copies.length
          ? [
              { text: 'Copy which? ', style: style.strong },
              {
                text: `${ctx.copies.length > 1 ? `1-${Math.min(ctx.copies.length, 9)}` : '1'} as shown beside each (y1 …), enter: the chosen action's command, esc: never mind`,
                style: style.muted,
              },
            ]
          : [{ text: 'This step shows nothing to copy.', style: style.muted }],
      };
    default:
      return state;
  }
}

/** The key after `y`: a number copies that command; enter (or y) the chosen action's. */
function copy(state: ScreenState, event: KeyEvent, ctx: ScreenContext): ScreenState {
  const done = { ...state, copying: false };
  let index: number | undefined;
  if (event.type === 'number') index = event.value === 0 ? 9 : event.value - 1;
  else if (event.type === 'enter')
    index =
      ctx.actionCopies[state.focusedAction ?? 0] ?? ctx.actionCopies.find((i) => i !== undefined);
  else return { ...done, notice: undefined };
  const text = index === undefined ? undefined : ctx.copies[index];
  if (text === undefined)
    return { ...done, notice: [{ text: 'Nothing to copy there.', style: style.muted }] };
  const firstLine = text.split('\n')[0] ?? '';
  return request(
    {
      ...done,
      notice: [
        { text: '✓ Copied to the clipboard: ', style: style.passed },
        {
          text: firstLine.length > 50 ? `${firstLine.slice(0, 49)}…` : firstLine,
          style: style.code,
        },
        {
          text: ' (OSC 52; in tmux: tmux set -g set-clipboard on)',
          style: style.muted,
        },
      ],
    },
    { kind: 'copy', text },
  );
}

function answer(state: ScreenState, choice: number, ctx: ScreenContext): ScreenState {
  const step = ctx.lab.steps[state.stepIndex];
  const quiz = step ? stepQuiz(step) : undefined;
  if (!state.quiz || !quiz) return state;
  const question = quiz.questions[state.quiz.index];
  if (!question || choice < 0 || choice >= question.choices.length) return state;
  // The first answer counts: an answered question keeps its answer.
  if (state.quiz.chosen !== undefined || ctx.answers[question.id] !== undefined) return state;
  return request(
    { ...state, quiz: { ...state.quiz, chosen: choice } },
    { kind: 'answer', questionId: question.id, choice },
  );
}

function nextQuestion(state: ScreenState, ctx: ScreenContext): ScreenState {
  const step = ctx.lab.steps[state.stepIndex];
  const questions = step ? (stepQuiz(step)?.questions ?? []) : [];
  const next = (state.quiz?.index ?? 0) + 1;
  const question = questions[next];
  if (question) return { ...state, quiz: { index: next, chosen: ctx.answers[question.id] } };
  return request({ ...state, quiz: undefined }, { kind: 'check', wait: false });
}

function enter(state: ScreenState, ctx: ScreenContext): ScreenState {
  const step = ctx.lab.steps[state.stepIndex];
  if (!step?.actions.length) return state;
  if (state.focusedAction === undefined) return { ...state, focusedAction: 0, revealAction: 0 };
  const index = state.focusedAction;
  const action = step.actions[index];
  if (!action || 'manual' in action) return state;
  const actionKey = `${step.id}#${index}`;
  // On real AWS, something billed is created only after a second, deliberate enter.
  if (action.billable && ctx.target.kind === 'aws' && state.billableAgreed !== actionKey) {
    const resource = action.billable.resource;
    return {
      ...state,
      billableAgreed: actionKey,
      notice: [
        {
          text: `This creates ${resource} in account ${ctx.target.account}, billed about $${action.billable.usdPerHour}/hour until you delete it. `,
          style: style.warning,
        },
        { text: 'Press enter again to run it.' },
      ],
    };
  }
  return request(
    { ...state, billableAgreed: undefined, notice: undefined },
    { kind: 'action', index },
  );
}

/** Past the last step: the completion screen, or what is left to do. */
function showEnd(state: ScreenState, ctx: ScreenContext): ScreenState {
  if (labComplete(ctx.lab, ctx.verdicts)) return { ...state, overlay: 'complete' };
  const open = ctx.lab.steps
    .map((s, i) => (!s.optional && !stepPassed(s, ctx.verdicts) ? String(i + 1) : ''))
    .filter(Boolean);
  return {
    ...state,
    notice: [
      {
        text: `This is the last step. Still to pass: step${open.length > 1 ? 's' : ''} ${open.join(', ')}.`,
        style: style.muted,
      },
    ],
  };
}
