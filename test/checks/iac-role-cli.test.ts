/**
 * Step 7 through the real CLI (the bundle, so the Terraform parser's WebAssembly must be found
 * at run time) on the sandbox: `solve --var iac=terraform` writes the Terraform reference
 * solution and `check` passes it; a file saved in the lab's workspace (where the TUI sends the
 * student) is found there, and the report says so.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabReport } from '../../src/engine/report.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import {
  labwright,
  makeHome,
  REPO,
  sharedSandbox,
  STACK_FRAME,
  type Home,
} from '../engine/support.js';

let home: Home;
let sandbox: Sandbox;

beforeAll(async () => {
  home = makeHome();
  sandbox = await sharedSandbox(home);
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(home.dir, { recursive: true, force: true });
});

const checkStep = async () => {
  const result = await labwright(home, [
    'check',
    'sagemaker-iam-roles',
    '--step',
    'infrastructure-as-code',
    '--json',
  ]);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  const report = JSON.parse(result.stdout) as LabReport;
  return report.steps[0]!.checks[0]!;
};

describe('step 7 in Terraform through the CLI', () => {
  it(
    'solve --var iac=terraform writes the Terraform solution, and check passes it',
    { timeout: 120_000 },
    async () => {
      const solved = await labwright(home, [
        'solve',
        'sagemaker-iam-roles',
        '--step',
        'infrastructure-as-code',
        '--var',
        'iac=terraform',
      ]);
      expect(solved.status, solved.stdout + solved.stderr).toBe(0);
      expect(existsSync(path.join(home.cwd, 'sagemaker-role.tf'))).toBe(true);
      expect(existsSync(path.join(home.cwd, 'sagemaker-role.yaml'))).toBe(false);
      const check = await checkStep();
      expect(check.status, check.message).toBe('passed');
      expect(check.message).toContain('Terraform sagemaker-role.tf (in your working folder)');
    },
  );

  it('solve without the option writes the CloudFormation one', { timeout: 120_000 }, async () => {
    rmSync(path.join(home.cwd, 'sagemaker-role.tf'));
    const solved = await labwright(home, [
      'solve',
      'sagemaker-iam-roles',
      '--step',
      'infrastructure-as-code',
    ]);
    expect(solved.status, solved.stdout + solved.stderr).toBe(0);
    expect(existsSync(path.join(home.cwd, 'sagemaker-role.yaml'))).toBe(true);
    expect(existsSync(path.join(home.cwd, 'sagemaker-role.tf'))).toBe(false);
    rmSync(path.join(home.cwd, 'sagemaker-role.yaml'));
  });

  it(
    'finds the configuration in the workspace the TUI sends students to',
    { timeout: 60_000 },
    async () => {
      const workspace = path.join(home.stateHome, 'labwright/workspace/sagemaker-iam-roles');
      mkdirSync(workspace, { recursive: true });
      copyFileSync(
        path.join(REPO, 'labs/sagemaker-iam-roles/files/sagemaker-role.tf'),
        path.join(workspace, 'sagemaker-role.tf'),
      );
      const check = await checkStep();
      expect(check.status, check.message).toBe('passed');
      expect(check.message).toContain(
        `Terraform sagemaker-role.tf (in the lab's workspace ${workspace})`,
      );
    },
  );
});
