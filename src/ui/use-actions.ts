import { useCallback, useRef, useState } from 'react';
import type { ActionState } from './screen/step-content.js';
import type { TuiSession } from './session.js';

/**
 * "Run it for me": each action's state in this session (running, its result, or left to the
 * student), by `stepId#index`. An action already running is not started again.
 */
export function useActions(
  session: TuiSession,
  onDone: (stepIndex: number, index: number, ok: boolean) => void,
) {
  const [states, setStates] = useState<Map<string, ActionState>>(new Map());
  const runningKeys = useRef(new Set<string>());
  const done = useRef(onDone);
  done.current = onDone;

  const set = (key: string, state: ActionState) => setStates((map) => new Map(map).set(key, state));

  const runAction = useCallback(
    async (stepIndex: number, index: number) => {
      const step = session.lab.steps[stepIndex];
      if (!step) return;
      const key = `${step.id}#${index}`;
      if (runningKeys.current.has(key)) return;
      runningKeys.current.add(key);
      set(key, { kind: 'running' });
      let ok = false;
      try {
        // AWS may need a moment (a new role reaching SageMaker): say why it is still running.
        const result = await session.runAction(step.id, index, (event) => {
          if (event.type === 'action-retry') set(key, { kind: 'running', note: event.message });
        });
        set(key, { kind: 'result', result });
        ok = result.status !== 'failed';
      } catch (error) {
        set(key, {
          kind: 'result',
          result: { status: 'failed', title: '', message: (error as Error).message },
        });
      } finally {
        runningKeys.current.delete(key);
      }
      done.current(stepIndex, index, ok);
    },
    [session],
  );

  const doMyself = useCallback(
    (stepIndex: number, index: number) => {
      const step = session.lab.steps[stepIndex];
      if (step) set(`${step.id}#${index}`, { kind: 'myself' });
    },
    [session],
  );

  return { states, runAction, doMyself };
}
