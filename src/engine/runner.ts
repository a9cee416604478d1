import type { CheckContext, CheckType } from '../../checks/define.js';
import type { TargetInfo } from '../aws/target.js';
import type { Connection } from '../aws/connect.js';
import type { LoadedLab } from '../lab/load.js';
import type { Lab } from '../lab/schema.js';
import {
  fillActionOutputs,
  outputToKeep,
  showActionOutputs,
  type ActionOutputs,
} from './action-outputs.js';
import { runAction, type ActionContext, type Billable } from './actions.js';
import type { RetryBound } from './backoff.js';
import {
  bindLab,
  labDocuments,
  type BoundAction,
  type BoundCheck,
  type BoundLab,
  type BoundStep,
} from './bound-lab.js';
import { cannotJudgeAfter, needsMessage, needsOf, targetLimitOf } from './check-needs.js';
import { runCheck, type CheckRunResult } from './check-run.js';
import { runCleanup, type CleanupReport } from './cleanup/run-cleanup.js';
import { defaultCheckTypes } from './check-types.js';
import { CLEANUP_STEP, type ActionResult, type RunEventListener } from './events.js';
import { Progress } from './progress.js';
import type { CheckReport, LabReport, StepReport } from './report.js';
import { checkOverrides, resolveVars } from './vars.js';
import { waitSeconds } from './wait-policy.js';
import { requiredPassed, score, stepStatus } from './verdicts.js';
import { prepareWorkspace, workspaceDir } from './workspace.js';

/**
 * The runner: what `check`, `solve`, `hint`, `reset`, the TUI and `grade` all use.
 *
 *   const connection = await connect(resolveTarget(options));       // src/aws/connect.ts
 *   const session = openLab({ lab: loaded, connection, vars: { bucket: 'x' } });
 *   const report = await session.runChecks({ onEvent });             // LabReport (JSON contract)
 *   await session.runActions('create-role', { onEvent });            // one step's reference actions
 *   const { report } = await session.solve({ steps: ['create-role'] });
 *   const hint = session.nextHint(report);                           // records the hint as seen
 *
 * Events (src/engine/events.ts): check-start, check-retry, check-done, action-start,
 * action-output, action-retry, action-done. Progress (hints seen, quiz answers, verdicts) is
 * saved after each change, per lab and target (src/engine/progress.ts).
 */

export interface OpenLabOptions {
  lab: LoadedLab;
  connection: Connection;
  /** `--var name=value` overrides; unknown names throw VarError. */
  vars?: Readonly<Record<string, string>>;
  /** Defaults to the saved progress of this lab on this target. */
  progress?: Progress;
  /** Defaults to every check type labwright ships. */
  checkTypes?: ReadonlyMap<string, CheckType>;
  /** The student's folder (their own files, e.g. a CloudFormation template); defaults to process.cwd(). */
  cwd?: string;
  /**
   * The lab's workspace, where checks of the student's files also look; by default the
   * workspace folder when `cwd` is not given (the student's own machine), none otherwise.
   */
  workspace?: string;
  /** Asked before a billable action on real AWS (see `solve --yes`). */
  confirmBillable?: (billable: Billable, title: string) => Promise<boolean>;
  /** How many checks run at once. */
  concurrency?: number;
}

/**
 * Which failing checks are polled for eventual consistency:
 * `all` every selected step's; `current` only the first step that has a failing required check
 * (the one the student is working on); `none` runs each check once.
 */
export type WaitMode = 'all' | 'current' | 'none';

export interface RunChecksOptions {
  /** Step ids, in any order; defaults to every step. Unknown ids throw UnknownStepError. */
  steps?: readonly string[];
  wait?: WaitMode;
  /** Poll only the steps this accepts (solve: the steps whose actions it ran). */
  waitOnly?: (stepId: string) => boolean;
  onEvent?: RunEventListener;
  signal?: AbortSignal;
}

export interface HintGiven {
  stepId: string;
  checkId: string;
  title: string;
  hint: string;
  /** 1-based: the hint's number, and how many the check has. */
  number: number;
  total: number;
}

export interface SolveResult {
  actions: { stepId: string; results: ActionResult[] }[];
  report: LabReport;
}

export class UnknownStepError extends Error {
  override name = 'UnknownStepError';
  constructor(
    readonly stepId: string,
    readonly known: string[],
  ) {
    super(`the lab has no step "${stepId}"; its steps are ${known.join(', ')}`);
  }
}

export interface LabSession {
  /** The lab as loaded, for the screens' own text. */
  readonly lab: Lab;
  /** The lab bound to this session (src/engine/bound-lab.ts): what actions and checks run. */
  readonly bound: BoundLab;
  readonly target: TargetInfo;
  readonly vars: Readonly<Record<string, string>>;
  readonly progress: Progress;
  /** The environment shell actions and checks run with. */
  readonly env: Readonly<Record<string, string>>;
  runChecks(options?: RunChecksOptions): Promise<LabReport>;
  runActions(
    stepId: string,
    options?: { onEvent?: RunEventListener; signal?: AbortSignal },
  ): Promise<ActionResult[]>;
  /** One reference action of a step, by its index (the TUI's "run it for me"). */
  runAction(
    stepId: string,
    index: number,
    options?: { onEvent?: RunEventListener; signal?: AbortSignal },
  ): Promise<ActionResult>;
  /** Each selected step in order: its actions, then its checks (polled). */
  solve(options?: {
    steps?: readonly string[];
    /** Run optional steps' actions too; without it (or `steps`) they are left to the student. */
    all?: boolean;
    /** How the checks after the actions wait; default `all` (what was just created may lag). */
    wait?: WaitMode;
    onEvent?: RunEventListener;
    signal?: AbortSignal;
  }): Promise<SolveResult>;
  /**
   * The lab's cleanup actions, in order, each deletion checked (what `labwright reset` runs;
   * src/engine/cleanup/run-cleanup.ts): what was deleted and what was left.
   */
  cleanup(options?: {
    onEvent?: RunEventListener;
    /** A line about the attempt's training jobs and records, outside any action. */
    onNote?: (line: string) => void;
    signal?: AbortSignal;
    /** Treat "not found" errors as already done. */
    ignoreNotFound?: boolean;
  }): Promise<CleanupReport>;
  /** The next unseen hint of the first failing check in `report`, recorded as seen. */
  nextHint(report: LabReport): HintGiven | undefined;
  /** The next unseen hint of one check (the TUI's `h`), recorded as seen. */
  hintFor(stepId: string, checkId: string): HintGiven | undefined;
  recordAnswer(questionId: string, choice: number): void;
  /** Checks that failed because labwright's own identity lacks a permission, in the last run. */
  readonly checkerDenied: readonly string[];
}

export function openLab(options: OpenLabOptions): LabSession {
  const { lab: loadedLab, dir: labDir, defaults } = options.lab;
  const { connection } = options;
  const overrides = options.vars ?? {};
  const { account, region, partition } = connection.info;
  const builtins = {
    account,
    region,
    partition,
    callerArn: connection.callerArn ?? `arn:${partition}:iam::${account}:root`,
    workspace: workspaceDir(loadedLab.id),
  };
  // Overrides are checked before progress is read: progress is kept per set of variables.
  checkOverrides(defaults, overrides);
  const progress =
    options.progress ?? Progress.load(loadedLab.id, connection.key, { vars: overrides });
  const vars = resolveVars(defaults, overrides, { ...builtins, runId: progress.runId() });
  // The lab is bound once, now that the built-ins are known; everything runs it.
  const lab = bindLab(options.lab, vars);
  const documents = labDocuments(labDir, vars);
  const outputs: ActionOutputs = {
    has: (id) => progress.hasOutput(id),
    get: (id) => progress.output(id),
  };
  // Shell actions run in the workspace, so `file://files/x.json` is the filled-in file.
  let shellDir: string | undefined;
  const shellFolder = () => (shellDir ??= prepareWorkspace(labDir, lab.id, vars));
  const checkTypes = options.checkTypes ?? defaultCheckTypes();
  const cwd = options.cwd ?? process.cwd();
  const workspace =
    options.workspace ?? (options.cwd === undefined ? workspaceDir(lab.id) : undefined);
  const env = { ...connection.env, LABWRIGHT_CWD: cwd, LABWRIGHT_LAB_DIR: labDir };
  const concurrency = Math.max(1, options.concurrency ?? 8);
  let checkerDenied: string[] = [];

  const selectSteps = (ids?: readonly string[]): readonly BoundStep[] => {
    if (!ids?.length) return lab.steps;
    const known = lab.steps.map((step) => step.id);
    for (const id of ids) if (!known.includes(id)) throw new UnknownStepError(id, known);
    return lab.steps.filter((step) => ids.includes(step.id));
  };

  const boundOf = (check: BoundCheck): RetryBound => check.retry ?? lab.retry;
  // On AWS nothing can delete an old attempt's training jobs, logs or CloudTrail events: checks
  // count only what was created since this attempt began (a small slack for clock skew).
  const attemptStart = connection.info.kind === 'aws' ? progress.attemptStartedAt : undefined;
  const since = attemptStart && new Date(attemptStart.getTime() - CLOCK_SLACK_MS);

  /** The action with `${actions.<id>...}` filled in; when it cannot be, it carries why. */
  const actionWithOutputs = async (action: BoundAction): Promise<BoundAction> => {
    if (!('input' in action)) return action;
    try {
      const input = await fillActionOutputs(action.input, outputs);
      return input === action.input ? action : { ...action, input };
    } catch (error) {
      return { ...action, problem: (error as Error).message };
    }
  };

  /** Each check's hints as last shown, action outputs filled in: what `giveHint` hands out. */
  const shownHints = new Map<string, readonly string[]>();

  /**
   * The check with `${actions.<id>...}` filled in; when its settings cannot be, it carries why.
   * Its hints are filled as far as they can be (a reference not yet fillable says so).
   */
  const withActionOutputs = async (step: BoundStep, check: BoundCheck): Promise<BoundCheck> => {
    const hints = await showActionOutputs(check.hints, outputs);
    shownHints.set(`${step.id}/${check.id}`, hints);
    try {
      const filled = await fillActionOutputs(check.with, outputs);
      return { ...check, with: filled, hints };
    } catch (error) {
      return { ...check, hints, problem: (error as Error).message };
    }
  };

  const checkContext = (signal: AbortSignal): CheckContext => ({
    // The check's settings are bound already; `{ file }` documents it passes on are the
    // session's, read once.
    call: (service, operation, input) =>
      connection.clients.call(
        service,
        operation,
        documents.load(input) as Record<string, unknown>,
        { signal },
      ),
    target: connection.info,
    vars,
    labDir,
    cwd,
    ...(workspace ? { workspace } : {}),
    answers: progress.data.answers,
    env,
    signal,
    ...(since ? { since } : {}),
  });

  const checkReport = (step: BoundStep, check: BoundCheck, result: CheckRunResult): CheckReport => {
    const { outcome } = result;
    const seen = progress.hintsSeen(step.id, check.id);
    // An `error` is the target's or labwright's (an operation the target lacks, the checker's
    // own permission), never the student's: their hint would mislead.
    const hints = shownHints.get(`${step.id}/${check.id}`) ?? check.hints;
    const hint =
      outcome.status !== 'failed' || hints.length === 0
        ? null
        : hints[Math.min(seen, hints.length - 1)]!;
    return {
      id: check.id,
      type: check.type,
      ...(check.title ? { title: check.title } : {}),
      status: outcome.status,
      points: check.points,
      optional: check.optional,
      message: outcome.message,
      hint,
      hintsUsed: seen,
      evidence: outcome.evidence ?? {},
      durationMs: result.durationMs,
    };
  };

  async function runChecks(runOptions: RunChecksOptions = {}): Promise<LabReport> {
    const startedAt = new Date();
    const steps = selectSteps(runOptions.steps);
    const controller = new AbortController();
    const abort = () => controller.abort(runOptions.signal?.reason);
    runOptions.signal?.addEventListener('abort', abort, { once: true });
    // A signal aborted already (Ctrl-C during solve's actions) fires no event: stop now too.
    if (runOptions.signal?.aborted) abort();
    const ctx = checkContext(controller.signal);
    const onEvent = runOptions.onEvent;
    const results = new Map<string, CheckRunResult>();
    const key = (step: BoundStep, check: BoundCheck) => `${step.id}/${check.id}`;
    checkerDenied = [];

    try {
      // Every check once, concurrently: they are independent reads (a check with `needs`
      // waits for those first).
      const first = steps.flatMap((step) => step.checks.map((check) => ({ step, check })));
      const judging = new Map<string, Promise<void>>();
      /** Runs one check (polling when `poll` is given), records and announces its result. */
      const judge = (
        step: BoundStep,
        check: BoundCheck,
        polling?: Pick<Parameters<typeof runCheck>[0], 'poll' | 'previous' | 'onEvent'>,
      ) => {
        const judged = (async () => {
          const filled = await withActionOutputs(step, check);
          const result =
            (await unmetNeed(step, check)) ??
            limitedByNeeds(
              step,
              check,
              await runCheck({
                stepId: step.id,
                check: filled,
                type: checkTypes.get(check.type),
                ctx,
                signal: controller.signal,
                targetKind: connection.info.kind,
                ...polling,
              }),
            );
          results.set(key(step, check), result);
          onEvent?.({
            type: 'check-done',
            stepId: step.id,
            checkId: check.id,
            report: checkReport(step, filled, result),
          });
        })();
        judging.set(key(step, check), judged);
        return judged;
      };
      /** The result as `error` when a need passed in name only and it did not pass. */
      const limitedByNeeds = (
        step: BoundStep,
        check: BoundCheck,
        result: CheckRunResult,
      ): CheckRunResult => {
        for (const need of needsOf(lab.steps, step, check)) {
          const limit = targetLimitOf(results.get(key(need.step, need.check)));
          if (limit) return cannotJudgeAfter(need, limit, result);
        }
        return result;
      };
      /** A skipped result when a need (judged in this run) did not pass. */
      const unmetNeed = async (
        step: BoundStep,
        check: BoundCheck,
      ): Promise<CheckRunResult | undefined> => {
        for (const need of needsOf(lab.steps, step, check)) {
          const needKey = key(need.step, need.check);
          await judging.get(needKey);
          const status = results.get(needKey)?.outcome.status;
          if (status !== undefined && status !== 'passed') {
            return {
              outcome: { status: 'skipped', message: needsMessage(need), retryable: false },
              durationMs: 0,
              attempts: 0,
            };
          }
        }
        return undefined;
      };
      await eachLimited(first, concurrency, async ({ step, check }) => {
        onEvent?.({ type: 'check-start', stepId: step.id, checkId: check.id });
        await judge(step, check);
      });

      // Then poll the failing ones where waiting may change the verdict (src/engine/wait-policy.ts),
      // and judge again those skipped for a need that is polled.
      const waitSteps = stepsToWaitOn(steps, runOptions.wait ?? 'current', (step, check) =>
        results.get(key(step, check))!,
      ).filter((step) => runOptions.waitOnly?.(step.id) ?? true);
      const again = waitSteps.flatMap((step) =>
        step.checks
          .filter((check) => {
            const outcome = results.get(key(step, check))!.outcome;
            if (outcome.status === 'skipped' && check.needs?.length) return true;
            return waitSeconds(outcome, connection.info.kind, boundOf(check)) > 0;
          })
          .map((check) => ({ step, check })),
      );
      judging.clear();
      await eachLimited(again, concurrency, ({ step, check }) => {
        const previous = results.get(key(step, check))!;
        return judge(step, check, {
          poll: boundOf(check),
          ...(previous.outcome.status === 'failed' ? { previous } : {}),
          onEvent,
        });
      });
    } finally {
      runOptions.signal?.removeEventListener('abort', abort);
      controller.abort();
    }

    const stepReports: StepReport[] = steps.map((step) => {
      const checks = step.checks.map((check) => {
        const result = results.get(key(step, check));
        if (result?.checkerDenied) checkerDenied.push(result.checkerDenied.action);
        return result
          ? checkReport(step, check, result)
          : checkReport(step, check, {
              outcome: { status: 'error', message: 'the run was stopped before this check ran' },
              durationMs: 0,
              attempts: 0,
            });
      });
      return {
        id: step.id,
        title: step.title,
        optional: step.optional,
        status: stepStatus(checks),
        checks,
      };
    });
    const report: LabReport = {
      lab: lab.id,
      labVersion: lab.version,
      target: connection.info,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      score: score(stepReports.flatMap((step) => step.checks)),
      hintsUsed: progress.hintsUsed(),
      steps: stepReports,
    };
    const wholeLab = steps.length === lab.steps.length;
    progress.recordResults(
      stepReports.flatMap((step) =>
        step.checks.map((check) => ({
          stepId: step.id,
          checkId: check.id,
          status: check.status,
          message: check.message,
        })),
      ),
      wholeLab && requiredPassed(report.steps),
    );
    return report;
  }

  async function runStepActions(
    stepId: string,
    step: { actions: readonly BoundAction[] },
    runOptions: {
      onEvent?: RunEventListener;
      signal?: AbortSignal;
      ignoreNotFound?: boolean;
      before?: () => Promise<void>;
    },
    firstIndex = 0,
  ): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    for (const [offset, action] of step.actions.entries()) {
      const index = firstIndex + offset;
      if (runOptions.signal?.aborted) break;
      const ctx: ActionContext = {
        clients: connection.clients,
        vars,
        labDir: 'shell' in action ? shellFolder() : labDir,
        env,
        stepId,
        index,
        ...(runOptions.ignoreNotFound ? { ignoreNotFound: true } : {}),
        ...(runOptions.before ? { before: runOptions.before } : {}),
        ...(options.confirmBillable && connection.info.kind === 'aws'
          ? { confirmBillable: options.confirmBillable }
          : {}),
        ...(runOptions.onEvent ? { onEvent: runOptions.onEvent } : {}),
        ...(runOptions.signal ? { signal: runOptions.signal } : {}),
      };
      const result = await runAction(await actionWithOutputs(action), ctx);
      // What `${actions.<id>...}` reads, kept with progress for a resumed run.
      if (action.id && result.status === 'done' && result.output !== undefined)
        progress.recordOutput(action.id, outputToKeep(result.output));
      results.push(result);
    }
    return results;
  }

  return {
    lab: loadedLab,
    bound: lab,
    target: connection.info,
    vars,
    progress,
    env,
    get checkerDenied() {
      return checkerDenied;
    },
    runChecks,
    runActions(stepId, runOptions = {}) {
      const [step] = selectSteps([stepId]);
      return runStepActions(step!.id, step!, runOptions);
    },
    async runAction(stepId, index, runOptions = {}) {
      const [step] = selectSteps([stepId]);
      const action = step!.actions[index];
      if (!action) throw new Error(`step ${stepId} has no action ${index + 1}`);
      const [result] = await runStepActions(step!.id, { actions: [action] }, runOptions, index);
      return result!;
    },
    async solve(solveOptions = {}) {
      const steps = selectSteps(solveOptions.steps);
      const actions: SolveResult['actions'] = [];
      // An optional step's actions (a cleanup, something billable) run only when asked for.
      const asked = solveOptions.all || solveOptions.steps?.length;
      for (const step of steps) {
        if (step.optional && !asked) continue;
        const events = {
          ...(solveOptions.onEvent ? { onEvent: solveOptions.onEvent } : {}),
          ...(solveOptions.signal ? { signal: solveOptions.signal } : {}),
        };
        actions.push({ stepId: step.id, results: await runStepActions(step.id, step, events) });
      }
      // Checks after all actions: later steps' actions can complete earlier steps' work.
      // Optional steps left to the student are reported, not waited for.
      const ran = new Set(actions.map((done) => done.stepId));
      const report = await runChecks({
        steps: steps.map((step) => step.id),
        wait: solveOptions.wait ?? 'all',
        waitOnly: (stepId) => ran.has(stepId),
        ...solveOptionsEvents(solveOptions),
      });
      return { actions, report };
    },
    cleanup({ onNote, ...runOptions } = {}) {
      return runCleanup({
        actions: lab.cleanup,
        created: lab.steps.flatMap((step) => step.actions),
        runAction: async (action, index, before) =>
          (
            await runStepActions(
              CLEANUP_STEP,
              { actions: [action] },
              { ...runOptions, ...(before ? { before } : {}) },
              index,
            )
          )[0]!,
        say: (text, index) =>
          index === undefined
            ? onNote?.(text)
            : runOptions.onEvent?.({
                type: 'action-output',
                stepId: CLEANUP_STEP,
                index,
                stream: 'stdout',
                text: `${text}\n`,
              }),
        call: (service, operation, input) =>
          connection.clients.call(
            service,
            operation,
            input,
            runOptions.signal ? { signal: runOptions.signal } : {},
          ),
        target: connection.info,
        ...(runOptions.signal ? { signal: runOptions.signal } : {}),
      });
    },
    nextHint(report) {
      const target = firstHintable(report, true) ?? firstHintable(report, false);
      return target ? giveHint(target.step, target.check) : undefined;
    },
    hintFor(stepId, checkId) {
      const [step] = selectSteps([stepId]);
      const check = step!.checks.find((c) => c.id === checkId);
      return check?.hints.length ? giveHint(step!, check) : undefined;
    },
    recordAnswer(questionId, choice) {
      progress.recordAnswer(questionId, choice);
    },
  };

  /** The first check in `report` that does not pass and has hints; required ones first. */
  function firstHintable(
    report: LabReport,
    requiredOnly: boolean,
  ): { step: BoundStep; check: BoundCheck } | undefined {
    for (const stepReport of report.steps) {
      const step = lab.steps.find((s) => s.id === stepReport.id);
      if (!step || (requiredOnly && step.optional)) continue;
      for (const checkReport of stepReport.checks) {
        if (checkReport.status !== 'failed') continue;
        if (requiredOnly && checkReport.optional) continue;
        const check = step.checks.find((c) => c.id === checkReport.id);
        if (check?.hints.length) return { step, check };
      }
    }
    return undefined;
  }

  function giveHint(step: BoundStep, check: BoundCheck): HintGiven {
    const before = progress.hintsSeen(step.id, check.id);
    const index = Math.min(before, check.hints.length - 1);
    progress.recordHint(step.id, check.id, check.hints.length);
    return {
      stepId: step.id,
      checkId: check.id,
      title: check.title ?? check.id,
      hint: (shownHints.get(`${step.id}/${check.id}`) ?? check.hints)[index]!,
      number: index + 1,
      total: check.hints.length,
    };
  }
}

/** How far the local clock may be off AWS's, when comparing creation times with the attempt's start. */
const CLOCK_SLACK_MS = 60_000;

function solveOptionsEvents(options: { onEvent?: RunEventListener; signal?: AbortSignal }) {
  return {
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function stepsToWaitOn(
  steps: readonly BoundStep[],
  mode: WaitMode,
  resultOf: (step: BoundStep, check: BoundCheck) => CheckRunResult,
): readonly BoundStep[] {
  if (mode === 'none') return [];
  if (mode === 'all') return steps;
  const current = steps.find((step) =>
    step.checks.some(
      (check) =>
        !check.optional && !step.optional && resultOf(step, check).outcome.status === 'failed',
    ),
  );
  return current ? [current] : [];
}

async function eachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(workers);
}
