import type { LabReport } from '../engine/report.js';

/**
 * JUnit XML for CI dashboards: one testsuite per step, one testcase per check. A failed check
 * is a <failure> and a check that could not run an <error>, each carrying the message and the
 * hint; evidence goes to <system-out> as JSON.
 */
export function renderJunit(report: LabReport): string {
  const all = report.steps.flatMap((step) => step.checks);
  const count = (status: string, checks = all) =>
    checks.filter((check) => check.status === status).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="${attr(report.lab)}" tests="${all.length}" failures="${count('failed')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(report.durationMs)}">`,
  );
  for (const step of report.steps) {
    const time = step.checks.reduce((sum, check) => sum + check.durationMs, 0);
    out.push(
      `  <testsuite name="${attr(`${report.lab}.${step.id}`)}" tests="${step.checks.length}" failures="${count('failed', step.checks)}" errors="${count('error', step.checks)}" skipped="${count('skipped', step.checks)}" time="${seconds(time)}" timestamp="${attr(report.startedAt)}">`,
    );
    out.push('    <properties>');
    out.push(`      <property name="title" value="${attr(step.title)}"/>`);
    out.push(`      <property name="optional" value="${step.optional}"/>`);
    out.push(
      `      <property name="target" value="${attr(report.target.endpoint ?? `aws:${report.target.account}`)}"/>`,
    );
    out.push('    </properties>');
    for (const check of step.checks) {
      const name = check.title ? `${check.id}: ${check.title}` : check.id;
      out.push(
        `    <testcase classname="${attr(`${report.lab}.${step.id}`)}" name="${attr(name)}" time="${seconds(check.durationMs)}">`,
      );
      const body = check.hint ? `${check.message}\nhint: ${check.hint}` : check.message;
      if (check.status === 'failed') {
        out.push(
          `      <failure message="${attr(check.message)}" type="${attr(check.type)}">${text(body)}</failure>`,
        );
      } else if (check.status === 'error') {
        out.push(
          `      <error message="${attr(check.message)}" type="${attr(check.type)}">${text(body)}</error>`,
        );
      } else if (check.status === 'skipped') {
        out.push(`      <skipped message="${attr(check.message)}"/>`);
      }
      if (Object.keys(check.evidence).length) {
        out.push(`      <system-out>${text(JSON.stringify(check.evidence, null, 2))}</system-out>`);
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

// XML 1.0 allows no control characters other than tab, newline and carriage return.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function text(value: string): string {
  return value
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
