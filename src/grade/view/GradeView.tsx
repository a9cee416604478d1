import { ProgressBar, Spinner } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { bar, formatPercent } from '../bar.js';
import { percentOf, studentPassed, type StudentResult } from '../results.js';
import type { CheckPassRate, ClassSummary } from '../summary.js';

/** The live view of `labwright grade` on a terminal: progress while grading, then the summary. */

export interface GradeViewState {
  lab: string;
  total: number;
  concurrency: number;
  running: readonly string[];
  /** Finished students, most recent last. */
  finished: readonly StudentResult[];
  summary?: ClassSummary;
  written?: readonly string[];
}

const RECENT = 5;
const BAR_WIDTH = 24;

export function GradeView({ state }: { state: GradeViewState }) {
  const done = state.finished.length;
  const errored = state.finished.filter((result) => result.error !== null).length;
  const failed = state.finished.filter(
    (result) => result.error === null && !studentPassed(result),
  ).length;
  return (
    <Box flexDirection="column">
      <Text>
        Grading <Text bold>{state.lab}</Text>: {state.total} students, {state.concurrency} at a time
      </Text>
      <Box gap={1}>
        <Box width={40}>
          <ProgressBar value={state.total ? (done / state.total) * 100 : 100} />
        </Box>
        <Text>
          {done}/{state.total}
        </Text>
      </Box>
      <Text>
        <Text color="green">done {done}</Text>{' '}
        <Text color="cyan">running {state.running.length}</Text>{' '}
        <Text color="red">failed {failed}</Text> <Text color="yellow">not graded {errored}</Text>
      </Text>
      {state.running.length > 0 && !state.summary && (
        <Spinner
          label={`grading ${state.running.slice(0, 6).join(', ')}${state.running.length > 6 ? ', …' : ''}`}
        />
      )}
      {!state.summary &&
        state.finished
          .slice(-RECENT)
          .map((result) => <StudentRow key={result.id} result={result} />)}
      {state.summary && <Summary summary={state.summary} written={state.written ?? []} />}
    </Box>
  );
}

function StudentRow({ result }: { result: StudentResult }) {
  if (result.error !== null) {
    return (
      <Text wrap="truncate-end">
        <Text color="yellow">! </Text>
        {result.id} <Text dimColor>{result.error}</Text>
      </Text>
    );
  }
  const passed = studentPassed(result);
  return (
    <Text wrap="truncate-end">
      <Text color={passed ? 'green' : 'red'}>{passed ? '✓ ' : '✗ '}</Text>
      {result.id}{' '}
      <Text dimColor>
        {result.score.earned}/{result.score.possible} ({percentOf(result).toFixed(1)}%)
      </Text>
    </Text>
  );
}

function Summary({ summary, written }: { summary: ClassSummary; written: readonly string[] }) {
  const required = summary.checks.filter((check) => !check.optional);
  const optional = summary.checks.filter((check) => check.optional);
  const width = Math.max(0, ...summary.checks.map((check) => label(check).length));
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        Class average{' '}
        <Text bold>
          {summary.averagePercent === null ? 'none' : `${summary.averagePercent.toFixed(1)}%`}
        </Text>
        {' · '}
        {summary.passedAll}/{summary.graded} passed every required check
        {summary.errored > 0 && <Text color="yellow">{` · ${summary.errored} not graded`}</Text>}
      </Text>
      {summary.graded > 0 && (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Pass rate of each check, hardest first</Text>
          {required.map((check) => (
            <RateRow key={label(check)} check={check} width={width} />
          ))}
          {optional.length > 0 && <Text dimColor>Optional</Text>}
          {optional.map((check) => (
            <RateRow key={label(check)} check={check} width={width} />
          ))}
        </Box>
      )}
      {written.length > 0 && (
        <Box marginTop={1}>
          <Text dimColor>Wrote {written.join(', ')}</Text>
        </Box>
      )}
    </Box>
  );
}

function RateRow({ check, width }: { check: CheckPassRate; width: number }) {
  const color = check.rate < 0.5 ? 'red' : check.rate < 0.8 ? 'yellow' : 'green';
  return (
    <Text>
      {label(check).padEnd(width)}{' '}
      <Text color={check.optional ? 'gray' : color}>{bar(check.rate, BAR_WIDTH)}</Text>{' '}
      {formatPercent(check.rate).padStart(4)}{' '}
      <Text dimColor>
        {check.passed}/{check.graded}
      </Text>
    </Text>
  );
}

function label(check: { stepId: string; checkId: string }): string {
  return `${check.stepId}/${check.checkId}`;
}
