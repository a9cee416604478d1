import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunEvent } from '../engine/events.js';
import { checkKey } from '../engine/progress.js';
import type { Status } from '../engine/report.js';
import { labComplete, type Verdicts } from './lab-state.js';
import type { TuiSession } from './session.js';

export type LiveVerdicts = Record<string, { status: Status; message: string }>;

export interface ChecksOutcome {
  stepIndex: number;
  completed: boolean;
  verdicts: Verdicts;
}

/**
 * Running a step's checks: the verdicts of this session, the checks running now (with their
 * retry notes), and watch mode. One run at a time; a run asked for meanwhile runs after it,
 * so the checks always end up judging the latest state.
 */
export function useChecks(
  session: TuiSession,
  options: {
    onDone: (outcome: ChecksOutcome) => void;
    onError: (message: string) => void;
  },
) {
  const { lab, progress } = session;
  const [live, setLive] = useState<LiveVerdicts>({});
  const [running, setRunning] = useState<Map<string, string | undefined>>(new Map());
  const busy = useRef(false);
  const again = useRef<{ stepIndex: number; wait: boolean } | undefined>(undefined);
  const callbacks = useRef(options);
  callbacks.current = options;

  const runChecks = useCallback(
    async (stepIndex: number, wait: boolean): Promise<void> => {
      const step = lab.steps[stepIndex];
      if (!step) return;
      if (busy.current) {
        again.current = { stepIndex, wait: wait || (again.current?.wait ?? false) };
        return;
      }
      busy.current = true;
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
            [checkKey(step.id, event.checkId)]: {
              status: event.report.status,
              message: event.report.message,
            },
          }));
        }
      };
      try {
        await session.runChecks(step.id, onEvent, { wait });
        callbacks.current.onDone({
          stepIndex,
          completed: !wasComplete && labComplete(lab, progress.data.checks),
          verdicts: { ...progress.data.checks },
        });
      } catch (error) {
        callbacks.current.onError((error as Error).message);
      } finally {
        setRunning(new Map());
        busy.current = false;
      }
      const queued = again.current;
      again.current = undefined;
      if (queued) await runChecks(queued.stepIndex, queued.wait);
    },
    [lab, progress, session],
  );
  return { live, running, runChecks };
}

/** Watch mode: check now, then every few seconds, while `watching`. */
export function useWatch(watching: boolean, intervalMs: number, check: () => void): void {
  const latest = useRef(check);
  latest.current = check;
  useEffect(() => {
    if (!watching) return;
    latest.current();
    const timer = setInterval(() => latest.current(), intervalMs);
    return () => clearInterval(timer);
  }, [watching, intervalMs]);
}
