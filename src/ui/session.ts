import type { TargetInfo } from '../aws/target.js';
import type { ActionResult, RunEventListener } from '../engine/events.js';
import type { Progress } from '../engine/progress.js';
import type { StepReport } from '../engine/report.js';
import type { BoundLab } from '../engine/bound-lab.js';

/**
 * What the TUI needs from a lab that is open on a target. src/commands/run.ts builds it
 * from the engine; the UI only renders it and forwards the student's keys to it.
 */
export interface TuiSession {
  /**
   * The lab bound to the session (src/engine/bound-lab.ts): its text is what the actions and
   * checks run, variables filled in. Each step's actions are those the screen offers: an action
   * marked `solveOnly` is left out, and `runAction` counts actions as shown here.
   */
  lab: BoundLab;
  /** The lab folder: where actions read their `{ file: }` references. */
  labDir: string;
  /**
   * Where the student's own commands run: a copy of the lab's files with the variables filled
   * in, so `file://files/...` in the commands shown sends what the lab means (engine/workspace.ts).
   */
  workDir: string;
  /** Lab variables with overrides and the target's built-ins, for the text shown. */
  vars: Readonly<Record<string, string>>;
  target: TargetInfo;
  /**
   * The environment that points the aws CLI and boto3 at the same target (endpoint,
   * credentials, region); empty on real AWS, where the student's own credentials apply.
   */
  shellEnv: Readonly<Record<string, string>>;
  /** Hints seen, quiz answers, last verdicts, current step: saved on every change. */
  progress: Progress;
  /**
   * Runs the checks of one step, reporting each as it starts, retries and ends, and saves the
   * verdicts. With `wait` (just after an action), failing checks are polled while waiting can
   * change them (src/engine/wait-policy.ts: something in progress, or AWS's eventual
   * consistency); without it each runs once, so `c` answers at once.
   */
  runChecks(
    stepId: string,
    onEvent: RunEventListener,
    options?: { wait?: boolean; signal?: AbortSignal },
  ): Promise<StepReport>;
  /** Runs one action of a step as the screen shows it ("run it for me"), by its index there. */
  runAction(stepId: string, index: number, onEvent: RunEventListener): Promise<ActionResult>;
}
