import type { BoundLab } from '../engine/bound-lab.js';
import { prepareWorkspace } from '../engine/workspace.js';
import type { LabSession } from '../engine/runner.js';
import { labComplete } from './lab-state.js';
import type { TuiSession } from './session.js';

/** The variables that point the aws CLI and boto3 at a local target, shown to the student. */
const EXPORTED = [
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_DEFAULT_REGION',
] as const;

/** Adapts the engine's session to what the screens need: one step's checks, one action at a time. */
export function sessionFromEngine(engine: LabSession, labDir: string): TuiSession {
  const { bound: lab } = engine;
  const shellEnv: Record<string, string> = {};
  if (engine.target.kind !== 'aws') {
    for (const name of EXPORTED) {
      const value = engine.env[name];
      if (value !== undefined) shellEnv[name] = value;
    }
  }
  const { lab: offered, engineIndex } = offeredActions(engine.bound);
  return {
    lab: offered,
    labDir,
    workDir: prepareWorkspace(labDir, lab.id, engine.vars),
    vars: engine.vars,
    target: engine.target,
    shellEnv,
    progress: engine.progress,
    async runChecks(stepId, onEvent, options = {}) {
      const report = await engine.runChecks({
        steps: [stepId],
        wait: options.wait ? 'all' : 'none',
        onEvent,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      // The engine marks a lab complete only on a whole-lab run; the TUI checks a step at a time.
      if (labComplete(lab, engine.progress.data.checks)) engine.progress.recordResults([], true);
      return report.steps[0]!;
    },
    runAction(stepId, index, onEvent) {
      return engine.runAction(stepId, engineIndex(stepId, index), { onEvent });
    },
  };
}

/**
 * The bound lab as the screen offers it: each step without its `solveOnly` actions (the fix a
 * step asks the student to find), and the way back from an action's index on screen to its
 * index in the lab, which the engine runs by.
 */
export function offeredActions(bound: BoundLab): {
  lab: BoundLab;
  engineIndex: (stepId: string, shown: number) => number;
} {
  const indexes = new Map<string, number[]>();
  const steps = bound.steps.map((step) => {
    const kept = step.actions.flatMap((action, index) => (action.solveOnly ? [] : [index]));
    indexes.set(step.id, kept);
    return { ...step, actions: kept.map((index) => step.actions[index]!) };
  });
  return {
    lab: { ...bound, steps },
    engineIndex: (stepId, shown) => indexes.get(stepId)?.[shown] ?? shown,
  };
}
