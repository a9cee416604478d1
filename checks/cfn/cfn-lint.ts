/** cfn-lint, when it is on PATH: CloudFormation's own linter, for what a parse cannot see. */
import { execFile } from 'node:child_process';

export interface LintFinding {
  rule: string;
  line: number;
  column: number;
  message: string;
}

export type LintResult = { ran: false; reason: string } | { ran: true; findings: LintFinding[] };

/** `--format parseable` prints file:line:col:endLine:endCol:rule:message, one finding a line. */
function parseFindings(stdout: string): LintFinding[] {
  return stdout
    .split('\n')
    .map((line) => /^.*?:(\d+):(\d+):\d+:\d+:([A-Z]\d+):(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      line: Number(m[1]),
      column: Number(m[2]),
      rule: m[3] ?? '',
      message: m[4] ?? '',
    }));
}

export function runCfnLint(file: string, signal: AbortSignal): Promise<LintResult> {
  return new Promise((resolve) => {
    execFile(
      'cfn-lint',
      ['--format', 'parseable', '--', file],
      { signal, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as NodeJS.ErrnoException | null)?.code;
        if (code === 'ENOENT') {
          resolve({ ran: false, reason: 'cfn-lint is not installed (pip install cfn-lint)' });
          return;
        }
        const findings = parseFindings(stdout);
        // Exit codes are a bitmask of error/warning/info levels; anything else is cfn-lint failing.
        if (
          error &&
          findings.length === 0 &&
          typeof error.code === 'number' &&
          (error.code & ~14) !== 0
        ) {
          resolve({
            ran: false,
            reason: `cfn-lint failed: ${stderr.trim().split('\n').pop() ?? error.message}`,
          });
          return;
        }
        resolve({ ran: true, findings });
      },
    );
  });
}
