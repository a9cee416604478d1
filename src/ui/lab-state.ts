import type { ProgressData } from '../engine/progress.js';
import { checkKey } from '../engine/progress.js';
import type { Status } from '../engine/report.js';
import {
  requiredChecksPassed,
  requiredPassed,
  score as scoreOf,
  type StepVerdicts,
} from '../engine/verdicts.js';
import type {
  BoundCheck as Check,
  BoundLab as Lab,
  BoundStep as Step,
} from '../engine/bound-lab.js';

/**
 * What the screen shows, derived from the lab and the saved progress: each step's state,
 * the score, whether the lab is complete, which hint comes next, the quiz of a step.
 */

export type StepState = 'not-started' | 'in-progress' | 'passed' | 'failed';

/** The verdict shown for a check: the live one when it ran in this session, else the saved one. */
export type Verdicts = Readonly<Record<string, { status: Status; message: string } | undefined>>;

export function savedVerdicts(progress: Readonly<ProgressData>): Verdicts {
  return progress.checks;
}

/** A step of the lab with the verdicts of its checks, as src/engine/verdicts.ts judges them. */
function judged(step: Step, verdicts: Verdicts): StepVerdicts & { checks: { points: number }[] } {
  return {
    optional: step.optional,
    checks: step.checks.map((check) => ({
      optional: check.optional,
      points: check.points,
      status: verdicts[checkKey(step.id, check.id)]?.status,
    })),
  };
}

export function stepState(step: Step, verdicts: Verdicts, current: boolean): StepState {
  const judgedStep = judged(step, verdicts);
  const results = judgedStep.checks.map((check) => check.status);
  if (
    step.checks.length > 0 &&
    requiredChecksPassed(judgedStep) &&
    results.some((s) => s !== undefined)
  ) {
    return 'passed';
  }
  if (results.some((status) => status === 'failed' || status === 'error')) return 'failed';
  if (current || results.some((status) => status !== undefined)) return 'in-progress';
  return 'not-started';
}

export function stepPassed(step: Step, verdicts: Verdicts): boolean {
  return stepState(step, verdicts, false) === 'passed';
}

/** Points earned and possible, as `check --json` counts them: every check's points. */
export function score(lab: Lab, verdicts: Verdicts): { earned: number; possible: number } {
  return scoreOf(lab.steps.flatMap((step) => judged(step, verdicts).checks));
}

/** Complete when every required check of every required step passed. */
export function labComplete(lab: Lab, verdicts: Verdicts): boolean {
  return requiredPassed(lab.steps.map((step) => judged(step, verdicts)));
}

/**
 * The check whose next hint `h` reveals: the first one that has not passed and still has
 * hints left; else the first not passed (its hints are all shown).
 */
export function hintTarget(
  step: Step,
  verdicts: Verdicts,
  hintsSeen: (checkId: string) => number,
): Check | undefined {
  const open = step.checks.filter(
    (check) => verdicts[checkKey(step.id, check.id)]?.status !== 'passed' && check.hints.length > 0,
  );
  return open.find((check) => hintsSeen(check.id) < check.hints.length) ?? open[0];
}

export interface QuizQuestion {
  id: string;
  prompt: string;
  choices: string[];
  answer: number;
  explanation?: string;
}

/** The quiz of a step (a check of type `quiz`), if it has one. */
export function stepQuiz(step: Step): { check: Check; questions: QuizQuestion[] } | undefined {
  const check = step.checks.find((c) => c.type === 'quiz');
  if (!check) return undefined;
  const questions = (check.with as { questions?: QuizQuestion[] }).questions ?? [];
  return questions.length ? { check, questions } : undefined;
}

/** Where to open the lab: the saved step, else the first step not passed. */
export function resumeStepIndex(lab: Lab, progress: Readonly<ProgressData>): number {
  const saved = lab.steps.findIndex((step) => step.id === progress.currentStep);
  if (saved >= 0) return saved;
  const open = lab.steps.findIndex((step) => !stepPassed(step, progress.checks));
  return open >= 0 ? open : 0;
}

/** "12m 5s", "1h 3m": the time a student took. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}
