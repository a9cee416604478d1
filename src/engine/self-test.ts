import type { AwsClients } from '../aws/clients.js';
import type { Connection } from '../aws/connect.js';
import type { TargetInfo } from '../aws/target.js';
import type { LoadedLab } from '../lab/load.js';
import type { Lab, Mistake, MistakeExpectation } from '../lab/schema.js';
import type { CleanupItem } from './cleanup/run-cleanup.js';
import type { ActionResult } from './events.js';
import { leftBehind, takeInventory, type Inventory } from './inventory.js';
import { Progress } from './progress.js';
import type { CheckReport, LabReport } from './report.js';
import { openLab, type LabSession } from './runner.js';

/**
 * `labwright test`: a lab author's proof that the lab works, in scenarios.
 *
 * - fresh: before anything is done, every required check fails (except those marked
 *   `passesFresh`), so no check passes for free;
 * - solve: step by step, as a student goes, each step's reference actions, then its checks
 *   (polled): every required check passes;
 * - reset: after the lab's cleanup the account holds what it held before (src/engine/inventory.ts);
 * - one scenario per declared mistake: the reference actions run up to the mistaken step, whose
 *   actions are replaced by (or followed by) the mistake's, and on to the last step that has an
 *   expected check; then the checks of those steps run once, and each expected check must be
 *   `failed`, its message or one of its hints matching the expectation.
 *
 * Each scenario gets a target from `openTarget`: a fresh sandbox each time, or the same
 * account, on which the lab's cleanup then runs before and after each scenario.
 *
 * A check the target cannot judge (an operation it lacks; a training job it marks Completed
 * without running, so no logs or model to find) is a note, not a failure: the lab is not at
 * fault. A mistake none of whose expected checks the target can judge is `unjudged`: neither
 * proved caught nor missed there.
 */

export interface SelfTestTarget {
  connection: Connection;
  /**
   * Resolves once the target's own background work (a training job's run) is done, so checks
   * judge where it ended rather than poll for it; only a sandbox can say.
   */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

export interface SelfTestOptions {
  lab: LoadedLab;
  openTarget(): Promise<SelfTestTarget>;
  /** True when every target `openTarget` gives is a fresh account (a new sandbox). */
  freshTargets: boolean;
  /** `--var` overrides. */
  vars?: Readonly<Record<string, string>>;
  /** The folder the lab's shell actions see as the student's (LABWRIGHT_CWD), per scenario. */
  workFolder(scenario: string): string;
  /** Run only these scenarios (fresh, solve, reset, or mistake ids); all by default. */
  only?: readonly string[];
  onScenario?(result: ScenarioResult): void;
  signal?: AbortSignal;
}

export type ScenarioKind = 'fresh' | 'solve' | 'reset' | 'mistake';

export interface ScenarioResult {
  /** fresh, solve, reset, or the mistake's id */
  name: string;
  kind: ScenarioKind;
  description: string;
  /** unjudged: the target could judge none of what the scenario proves (notes say why). */
  status: 'passed' | 'failed' | 'unjudged';
  /** Why it failed: one sentence each. */
  problems: string[];
  /** What an author may want to know that does not fail it. */
  notes: string[];
  durationMs: number;
}

export interface SelfTestReport {
  lab: string;
  labVersion: string;
  target: TargetInfo;
  startedAt: string;
  durationMs: number;
  /** No scenario failed (an unjudged one is a limit of the target, not of the lab). */
  passed: boolean;
  scenarios: ScenarioResult[];
}

export class UnknownScenarioError extends Error {
  override name = 'UnknownScenarioError';
}

export async function selfTest(options: SelfTestOptions): Promise<SelfTestReport> {
  const startedAt = new Date();
  const { lab } = options.lab;
  const names = ['fresh', 'solve', 'reset', ...lab.mistakes.map((mistake) => mistake.id)];
  for (const name of options.only ?? []) {
    if (!names.includes(name))
      throw new UnknownScenarioError(
        `the lab has no scenario "${name}"; its scenarios are ${names.join(', ')}`,
      );
  }
  const wanted = (name: string) => !options.only?.length || options.only.includes(name);
  const scenarios: ScenarioResult[] = [];
  let target: TargetInfo | undefined;
  const record = (result: ScenarioResult) => {
    scenarios.push(result);
    options.onScenario?.(result);
  };

  const run = async (
    name: string,
    kind: ScenarioKind,
    description: string,
    work: (session: LabSession, scenario: Scenario, clients: AwsClients) => Promise<void>,
    scenarioLab: LoadedLab = options.lab,
  ): Promise<Scenario> => {
    const began = Date.now();
    const opened = await options.openTarget();
    const scenario = new Scenario(opened.settle);
    try {
      target ??= opened.connection.info;
      const session = openLab({
        lab: scenarioLab,
        connection: opened.connection,
        ...(options.vars ? { vars: options.vars } : {}),
        progress: Progress.inMemory(lab.id, opened.connection.key),
        cwd: options.workFolder(name),
      });
      // On a shared account, what an earlier run left would decide this one.
      if (!options.freshTargets) await cleanUp(session, scenario, 'before the scenario');
      const { clients } = opened.connection;
      const before = options.freshTargets ? undefined : await takeInventory(clients);
      await work(session, scenario, clients);
      if (before && !options.signal?.aborted) {
        await cleanUp(session, scenario, 'after the scenario');
        scenario.compare(before, await takeInventory(clients), 'the lab');
      }
    } finally {
      await opened.close();
    }
    if (kind !== 'solve' || wanted('solve')) {
      record(scenario.result(name, kind, description, Date.now() - began));
    }
    return scenario;
  };

  if (wanted('fresh')) {
    await run('fresh', 'fresh', 'Before anything is done, every required check fails', (s, sc) =>
      freshScenario(s, sc, options.signal),
    );
  }
  if (wanted('solve') || wanted('reset')) {
    const began = Date.now();
    let reset: Scenario | undefined;
    await run(
      'solve',
      'solve',
      "After each step's reference actions, its required checks pass",
      async (session, scenario, clients) => {
        const before = await takeInventory(clients);
        await solveScenario(session, scenario, options.signal);
        reset = new Scenario();
        const cleanup = await session.cleanup({
          ignoreNotFound: true,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        reset.actionsFailed(cleanup.actions, 'cleanup');
        reset.notDeleted(cleanup.items, "the lab's cleanup");
        reset.compare(before, await takeInventory(clients), "the lab's cleanup");
      },
    );
    if (reset && wanted('reset')) {
      record(
        reset.result(
          'reset',
          'reset',
          "After the lab's cleanup, the account holds what it held before",
          Date.now() - began,
        ),
      );
    }
  }
  for (const mistake of lab.mistakes) {
    if (!wanted(mistake.id) || options.signal?.aborted) continue;
    await run(
      mistake.id,
      'mistake',
      mistake.description,
      (session, scenario) => mistakeScenario(session, scenario, mistake, options.signal),
      withMistake(options.lab, mistake),
    );
  }

  return {
    lab: lab.id,
    labVersion: lab.version,
    target: target!,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    passed: scenarios.every((scenario) => scenario.status !== 'failed'),
    scenarios,
  };
}

/** What one scenario found, gathered as it runs. */
class Scenario {
  readonly problems: string[] = [];
  readonly notes: string[] = [];
  /** Nothing the scenario proves could be judged on the target. */
  unjudged = false;

  constructor(private readonly settleTarget?: () => Promise<void>) {}

  settle(): Promise<void> {
    return this.settleTarget?.() ?? Promise.resolve();
  }

  /** What cleanup should have deleted and left (reset's `✗` lines). */
  notDeleted(items: readonly CleanupItem[], where: string): void {
    for (const item of items) {
      if (item.unexpected) {
        this.problems.push(
          `${where} left the ${item.kind} ${item.name}${item.detail ? `: ${item.detail}` : ''}`,
        );
      }
    }
  }

  actionsFailed(results: readonly ActionResult[], where: string): void {
    for (const result of results) {
      if (result.status === 'failed')
        this.problems.push(`${where}: "${result.title}" failed: ${result.message}`);
      if (result.status === 'manual')
        this.notes.push(`${where}: "${result.title}" is manual; labwright cannot do it`);
    }
  }

  compare(before: Inventory, after: Inventory, what: string): void {
    for (const resource of leftBehind(before, after))
      this.problems.push(`${what} left behind ${resource}`);
    for (const listing of after.unlisted)
      this.notes.push(`the target does not implement ${listing}: not compared`);
  }

  result(
    name: string,
    kind: ScenarioKind,
    description: string,
    durationMs: number,
  ): ScenarioResult {
    return {
      name,
      kind,
      description,
      status: this.problems.length ? 'failed' : this.unjudged ? 'unjudged' : 'passed',
      problems: this.problems,
      notes: this.notes,
      durationMs,
    };
  }
}

async function cleanUp(session: LabSession, scenario: Scenario, when: string): Promise<void> {
  const cleanup = await session.cleanup({ ignoreNotFound: true });
  scenario.actionsFailed(cleanup.actions, `cleanup ${when}`);
  scenario.notDeleted(cleanup.items, `cleanup ${when}`);
}

/**
 * A check that could not judge because of the target: it lacks an operation (moto has no
 * CloudTrail LookupEvents), or what the check looks for builds on work the target only
 * pretends to do (`targetLimit`: moto's training jobs never run). Noted, not a fault of the lab.
 */
function unjudgeable(check: CheckReport): boolean {
  return (
    check.status === 'error' &&
    (typeof check.evidence.notImplemented === 'string' ||
      typeof check.evidence.targetLimit === 'string')
  );
}

/**
 * What the target only pretends to do (`targetLimit`), which left the check passed in name only
 * (a job Completed without running) or unable to judge (its logs).
 */
function targetLimit(check: CheckReport): string | undefined {
  const limit = check.evidence.targetLimit;
  return typeof limit === 'string' ? limit : undefined;
}

/** A required check of a required step: what decides whether the lab passes. */
function isRequired(lab: Lab, stepId: string, check: CheckReport): boolean {
  const step = lab.steps.find((s) => s.id === stepId);
  return !!step && !step.optional && !check.optional;
}

async function freshScenario(
  session: LabSession,
  scenario: Scenario,
  signal?: AbortSignal,
): Promise<void> {
  const report = await session.runChecks({ wait: 'none', ...(signal ? { signal } : {}) });
  for (const { stepId, check } of eachCheck(report)) {
    if (!isRequired(session.lab, stepId, check)) continue;
    const declared = session.lab.steps
      .find((step) => step.id === stepId)
      ?.checks.find((c) => c.id === check.id);
    if (declared?.passesFresh) continue;
    const name = `${stepId}/${check.id}`;
    if (unjudgeable(check)) {
      scenario.notes.push(`${name} cannot judge on this target: ${check.message}`);
    } else if (check.status === 'passed') {
      scenario.problems.push(
        `${name} passes before anything is done, so it does not prove the student did the work (mark it passesFresh: true if that is meant)`,
      );
    } else if (check.status !== 'failed' && check.status !== 'skipped') {
      // Skipped for a need (`needs:`) that failed is as good as failed: it did not pass.
      scenario.problems.push(
        `${name} could not judge a fresh account (${check.status}): ${check.message}`,
      );
    }
  }
}

async function solveScenario(
  session: LabSession,
  scenario: Scenario,
  signal?: AbortSignal,
): Promise<void> {
  for (const step of session.lab.steps) {
    if (signal?.aborted) return;
    const events = signal ? { signal } : {};
    scenario.actionsFailed(await session.runActions(step.id, events), step.id);
    await scenario.settle();
    const report = await session.runChecks({ steps: [step.id], wait: 'all', ...events });
    for (const { stepId, check } of eachCheck(report)) {
      const limit = check.status === 'passed' ? targetLimit(check) : undefined;
      if (limit) scenario.notes.push(`${stepId}/${check.id} passed in name only: ${limit}`);
      if (check.status === 'passed') continue;
      const line = `${stepId}/${check.id} ${check.status}: ${check.message}`;
      if (unjudgeable(check)) scenario.notes.push(line);
      else if (isRequired(session.lab, stepId, check)) scenario.problems.push(line);
      else scenario.notes.push(`${line} (optional)`);
    }
  }
}

async function mistakeScenario(
  session: LabSession,
  scenario: Scenario,
  mistake: Mistake,
  signal?: AbortSignal,
): Promise<void> {
  const { lab } = session;
  const expected = mistake.expect.map((expectation) => ({
    expectation,
    ...resolveCheck(lab, expectation),
  }));
  const stepIndex = (id: string) => lab.steps.findIndex((step) => step.id === id);
  const last = Math.max(
    stepIndex(mistake.step),
    ...expected.map(({ stepId }) => stepIndex(stepId)),
  );
  const steps = lab.steps.slice(0, last + 1);
  // The mistake's own actions come after the step's reference ones kept (mode after), or alone.
  const firstOwn =
    mistake.mode === 'after'
      ? lab.steps[stepIndex(mistake.step)]!.actions.length - mistake.actions.length
      : 0;
  for (const step of steps) {
    if (signal?.aborted) return;
    const results = await session.runActions(step.id, signal ? { signal } : {});
    if (step.id !== mistake.step) {
      // A reference action may fail because of the mistake (a notebook refused an EC2 role).
      for (const result of results.filter((r) => r.status === 'failed'))
        scenario.notes.push(`${step.id}: "${result.title}" failed: ${result.message}`);
      continue;
    }
    results.forEach((result, index) => {
      if (result.status !== 'failed') return;
      if (index >= firstOwn)
        scenario.problems.push(
          `the mistake's action "${result.title}" failed, so the mistake was not made: ${result.message}`,
        );
      else scenario.notes.push(`${step.id}: "${result.title}" failed: ${result.message}`);
    });
  }
  await scenario.settle();
  const report = await session.runChecks({
    steps: steps.map((step) => step.id),
    wait: 'none',
    ...(signal ? { signal } : {}),
  });
  let judged = 0;
  for (const { expectation, stepId, checkId } of expected) {
    const check = report.steps
      .find((step) => step.id === stepId)
      ?.checks.find((c) => c.id === checkId);
    const name = `${stepId}/${checkId}`;
    if (!check) {
      scenario.problems.push(`${name} did not run`);
      continue;
    }
    const limit = targetLimit(check);
    if (limit) {
      scenario.notes.push(`${name} cannot judge the mistake on this target: ${limit}`);
      continue;
    }
    if (unjudgeable(check)) {
      scenario.notes.push(`${name} cannot judge the mistake on this target: ${check.message}`);
      continue;
    }
    judged++;
    if (check.status === 'passed') {
      scenario.problems.push(`the mistake is not caught: ${name} passed (${check.message})`);
      continue;
    }
    if (check.status !== 'failed') {
      scenario.problems.push(
        `${name} did not judge the mistake (${check.status}): ${check.message}`,
      );
      continue;
    }
    const said = saysWhatHelps(expectation, check.message, session.bound, stepId, checkId);
    if (!said) {
      scenario.problems.push(
        `${name} failed, but neither its message nor its hints match /${expectation.matches}/: it said "${check.message}"`,
      );
    } else {
      scenario.notes.push(
        `${name} failed: ${check.message}${said === 'hint' ? ' (a hint matches)' : ''}`,
      );
    }
  }
  scenario.unjudged = expected.length > 0 && judged === 0;
}

/** Where the expected text was found: the message, a hint, or nowhere. */
function saysWhatHelps(
  expectation: MistakeExpectation,
  message: string,
  bound: LabSession['bound'],
  stepId: string,
  checkId: string,
): 'message' | 'hint' | undefined {
  if (expectation.matches === undefined) return 'message';
  const pattern = new RegExp(expectation.matches, 'i');
  if (pattern.test(message)) return 'message';
  const hints =
    bound.steps.find((step) => step.id === stepId)?.checks.find((c) => c.id === checkId)?.hints ??
    [];
  return hints.some((hint) => pattern.test(hint)) ? 'hint' : undefined;
}

/** `check-id` or `step-id/check-id`, as the loader has already made sure it names one check. */
function resolveCheck(
  lab: Lab,
  expectation: MistakeExpectation,
): { stepId: string; checkId: string } {
  const [first, second] = expectation.check.split('/') as [string, string | undefined];
  if (second !== undefined) return { stepId: first, checkId: second };
  const step = lab.steps.find((s) => s.checks.some((check) => check.id === first));
  return { stepId: step?.id ?? '', checkId: first };
}

/** The lab as a student who made the mistake did it: that step's actions swapped. */
function withMistake(loaded: LoadedLab, mistake: Mistake): LoadedLab {
  const steps = loaded.lab.steps.map((step) =>
    step.id !== mistake.step
      ? step
      : {
          ...step,
          actions:
            mistake.mode === 'after' ? [...step.actions, ...mistake.actions] : mistake.actions,
        },
  );
  // What the mistake made that the lab does not (another role) goes first.
  const cleanup = [...mistake.cleanup, ...loaded.lab.cleanup];
  return { ...loaded, lab: { ...loaded.lab, steps, cleanup } };
}

function* eachCheck(report: LabReport): Generator<{ stepId: string; check: CheckReport }> {
  for (const step of report.steps)
    for (const check of step.checks) yield { stepId: step.id, check };
}
