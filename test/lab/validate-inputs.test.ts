/**
 * `labwright validate` checks what a call needs before anything runs: the inputs AWS requires
 * (from the SDK's service models) of aws actions and aws.call checks, and a wait action's waiter.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labwright } from '../support/cli.js';

describe('labwright validate: inputs and waiters', () => {
  it('points at the line inside a | block where an undefined variable is', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labwright-validate-block-'));
    writeFileSync(
      path.join(dir, 'lab.yaml'),
      `id: block
title: Block
steps:
  - id: one
    title: One
    instructions: |
      # Heading

      Some text.

      Run this: aws s3 ls s3://\${nowhere}
`,
    );
    const result = labwright(['validate', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/lab\.yaml:11:32: \$\{nowhere\} is not defined/);
  });

  it('reports a missing required input, an unknown waiter, a bad JMESPath and a bad regex, each at its line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labwright-validate-inputs-'));
    writeFileSync(
      path.join(dir, 'lab.yaml'),
      `id: inputs
title: Inputs
steps:
  - id: one
    title: One
    actions:
      - title: A policy without its document
        aws: iam:PutRolePolicy
        input: { RoleName: r, PolicyName: p }
      - title: Wait for nothing
        wait: sagemaker:TrainingJobFinished
        input: { TrainingJobName: j }
    checks:
      - id: call
        type: aws.call
        with:
          call: s3:GetObject
          input: { Bucket: b }
          expect:
            - query: "Body.["
              matches: "(unclosed"
`,
    );
    const result = labwright(['validate', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /lab\.yaml:8:14: iam:PutRolePolicy requires PolicyDocument in its input/,
    );
    expect(result.stderr).toMatch(
      /lab\.yaml:11:15: sagemaker has no waiter TrainingJobFinished.*its waiters are .*TrainingJobCompletedOrStopped/,
    );
    expect(result.stderr).toMatch(/lab\.yaml:17:17: s3:GetObject requires Key in its input/);
    expect(result.stderr).toMatch(/lab\.yaml:20:22: invalid JMESPath "Body\.\[": /);
    expect(result.stderr).toMatch(/lab\.yaml:21:24: invalid regular expression \/\(unclosed\/: /);
  });
});
