import type { CheckReport } from '../engine/report.js';
import type { ClassResults, StudentResult } from './results.js';

/**
 * junit.xml: a testsuite per student and a testcase per check, so a CI server or an LMS
 * that reads JUnit shows the class at a glance. A student who could not be graded gets a
 * single errored testcase saying why.
 */
export function gradeJunitXml(results: ClassResults): string {
  const suites = results.students.map(studentSuite);
  const count = (key: keyof SuiteCounts) =>
    suites.reduce((sum, suite) => sum + suite.counts[key], 0);
  const seconds = suites.reduce((sum, suite) => sum + suite.seconds, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`labwright grade ${results.lab}`)}" tests="${count('tests')}" failures="${count('failures')}" errors="${count('errors')}" skipped="${count('skipped')}" time="${seconds.toFixed(3)}">`,
    ...suites.map((suite) => suite.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function studentSuite(result: StudentResult): {
  xml: string;
  counts: SuiteCounts;
  seconds: number;
} {
  const seconds = result.durationMs / 1000;
  const open = (counts: SuiteCounts) =>
    `  <testsuite name="${attr(result.id)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds.toFixed(3)}" timestamp="${attr(result.startedAt)}">`;

  if (result.error !== null) {
    const counts = { tests: 1, failures: 0, errors: 1, skipped: 0 };
    const xml = [
      open(counts),
      `    <testcase classname="${attr(result.id)}" name="grade" time="${seconds.toFixed(3)}">`,
      `      <error message="${attr(result.error)}"/>`,
      '    </testcase>',
      '  </testsuite>',
    ].join('\n');
    return { xml, counts, seconds };
  }

  const counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases: string[] = [];
  for (const step of result.steps) {
    for (const check of step.checks) {
      counts.tests += 1;
      cases.push(testcase(`${result.id}.${step.id}`, check, counts));
    }
  }
  const properties = [
    '    <properties>',
    `      <property name="target" value="${attr(result.target.endpoint ?? result.target.profile ?? result.target.kind)}"/>`,
    `      <property name="account" value="${attr(result.target.account)}"/>`,
    `      <property name="score" value="${result.score.earned}/${result.score.possible}"/>`,
    `      <property name="hintsUsed" value="${result.hintsUsed}"/>`,
    '    </properties>',
  ];
  return {
    xml: [open(counts), ...properties, ...cases, '  </testsuite>'].join('\n'),
    counts,
    seconds,
  };
}

function testcase(classname: string, check: CheckReport, counts: SuiteCounts): string {
  const head = `    <testcase classname="${attr(classname)}" name="${attr(check.id)}" time="${(check.durationMs / 1000).toFixed(3)}">`;
  const detail = check.hint ? `${check.message}\nHint: ${check.hint}` : check.message;
  switch (check.status) {
    case 'passed':
      return `${head.slice(0, -1)}/>`;
    case 'skipped':
      counts.skipped += 1;
      return `${head}\n      <skipped message="${attr(check.message)}"/>\n    </testcase>`;
    case 'failed':
      counts.failures += 1;
      return `${head}\n      <failure message="${attr(check.message)}" type="${attr(check.type)}">${text(detail)}</failure>\n    </testcase>`;
    case 'error':
      counts.errors += 1;
      return `${head}\n      <error message="${attr(check.message)}" type="${attr(check.type)}">${text(detail)}</error>\n    </testcase>`;
  }
}

/** XML 1.0 cannot hold most control characters even escaped: they are dropped. */
function text(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
