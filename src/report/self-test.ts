import chalk from 'chalk';
import type { ScenarioResult, SelfTestReport } from '../engine/self-test.js';
import { attr, text } from './junit.js';
import { describeTargetInfo } from './text.js';

/**
 * `labwright test`'s report: a line per scenario (fresh, solve, reset, each mistake) with ✓ or
 * ✗, why it failed, and what the author may want to read (the message a mistake produced).
 */
export function renderSelfTestText(report: SelfTestReport): string {
  const lines = [
    `${chalk.bold(`labwright test ${report.lab}`)} on ${describeTargetInfo(report.target)}`,
    '',
  ];
  for (const scenario of report.scenarios) {
    const glyph = scenarioGlyph(scenario.status);
    const label = scenario.kind === 'mistake' ? `mistake ${scenario.name}` : scenario.name;
    lines.push(`${glyph} ${chalk.bold(label)}  ${scenario.description}`);
    for (const problem of scenario.problems) lines.push(`    ${chalk.red(problem)}`);
    for (const note of scenario.notes) lines.push(`    ${chalk.dim(note)}`);
  }
  const failed = report.scenarios.filter((scenario) => scenario.status === 'failed');
  const unjudged = report.scenarios.filter((scenario) => scenario.status === 'unjudged');
  const total = report.scenarios.length;
  lines.push('');
  lines.push(
    failed.length
      ? chalk.red(
          `${failed.length} of ${total} scenarios failed: ${failed.map((s) => s.name).join(', ')}`,
        )
      : unjudged.length
        ? chalk.green(`${total - unjudged.length} of ${total} scenarios passed`)
        : chalk.green(`all ${total} scenarios passed`),
  );
  if (unjudged.length) {
    lines.push(
      chalk.yellow(
        `${unjudged.length} could not be judged on this target: ${unjudged.map((s) => s.name).join(', ')} (see the notes above)`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** ✓ passed, ✗ failed, – the target could not judge it. */
export function scenarioGlyph(status: ScenarioResult['status'], color = true): string {
  const [glyph, paint] =
    status === 'passed'
      ? ['✓', chalk.green]
      : status === 'failed'
        ? ['✗', chalk.red]
        : ['–', chalk.yellow];
  return color ? paint(glyph) : glyph;
}

/**
 * JUnit XML: one testsuite for the lab, a testcase per scenario, a <failure> per failed one, a
 * <skipped> per one the target could not judge.
 */
export function renderSelfTestJunit(report: SelfTestReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const failures = report.scenarios.filter((scenario) => scenario.status === 'failed').length;
  const skipped = report.scenarios.filter((scenario) => scenario.status === 'unjudged').length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`labwright test ${report.lab}`)}" tests="${report.scenarios.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(report.durationMs)}">`,
    `  <testsuite name="${attr(report.lab)}" tests="${report.scenarios.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(report.durationMs)}" timestamp="${attr(report.startedAt)}">`,
  ];
  for (const scenario of report.scenarios) {
    const name = scenario.kind === 'mistake' ? `mistake ${scenario.name}` : scenario.name;
    out.push(
      `    <testcase classname="${attr(report.lab)}" name="${attr(`${name}: ${scenario.description}`)}" time="${seconds(scenario.durationMs)}">`,
    );
    if (scenario.status === 'unjudged') {
      out.push(
        `      <skipped message="${attr(`cannot be judged on this target: ${scenario.notes[0] ?? ''}`)}"/>`,
      );
    }
    if (scenario.status === 'failed') {
      out.push(
        `      <failure message="${attr(scenario.problems[0] ?? 'failed')}">${text(scenario.problems.join('\n'))}</failure>`,
      );
    }
    if (scenario.notes.length)
      out.push(`      <system-out>${text(scenario.notes.join('\n'))}</system-out>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}
