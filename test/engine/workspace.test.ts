/**
 * The workspace: the lab's files with the student's variables filled in, where the TUI tells
 * them to run the commands it shows. The lab's own commands, pasted there and run with the
 * real aws CLI, must do what the lab's actions do.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/aws/connect.js';
import { resolveTarget } from '../../src/aws/target.js';
import { describeAction } from '../../src/engine/actions.js';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { Progress } from '../../src/engine/progress.js';
import { openLab } from '../../src/engine/runner.js';
import { resolveVars } from '../../src/engine/vars.js';
import { prepareWorkspace } from '../../src/engine/workspace.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { LESSON_LAB } from '../support/lab-session.js';
import { requireTool } from '../support/tools.js';

const run = promisify(execFile);
const target = { account: '000000000000', region: 'us-east-1', partition: 'aws' };

let state: string;
let previousState: string | undefined;
beforeAll(() => {
  previousState = process.env.XDG_STATE_HOME;
  state = mkdtempSync(path.join(os.tmpdir(), 'labwright-workspace-'));
  process.env.XDG_STATE_HOME = state;
});
afterAll(() => {
  if (previousState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = previousState;
  rmSync(state, { recursive: true, force: true });
});

async function lesson() {
  const loaded = await loadLabFile(LESSON_LAB, { checkOperations: false });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.loaded;
}

describe('the workspace', () => {
  it("fills the lab's variables in its files and leaves other ${...} alone", async () => {
    const lab = await lesson();
    const vars = resolveVars(lab.defaults, { bucket: 'class-bucket' }, target);
    const dir = prepareWorkspace(lab.dir, lab.lab.id, vars);
    expect(dir.startsWith(state)).toBe(true);
    const policy = JSON.parse(
      readFileSync(path.join(dir, 'files/s3-least-privilege-policy.json'), 'utf8'),
    ) as { Statement: { Resource: string }[] };
    expect(policy.Statement[0]!.Resource).toBe('arn:aws:s3:::class-bucket/*');
    // CloudFormation's own references are the template's, not the lab's.
    const template = readFileSync(path.join(dir, 'files/sagemaker-role.yaml'), 'utf8');
    expect(template).toContain('arn:${AWS::Partition}:s3:::${BucketName}/*');
    expect(readFileSync(path.join(dir, 'files/train.csv'))).toEqual(
      readFileSync(path.join(lab.dir, 'files/train.csv')),
    );
    expect(existsSync(path.join(dir, 'lab.yaml'))).toBe(false);

    // Other names, next time: the files follow.
    prepareWorkspace(lab.dir, lab.lab.id, { ...vars, bucket: 'other-bucket' });
    expect(readFileSync(path.join(dir, 'files/s3-least-privilege-policy.json'), 'utf8')).toContain(
      'arn:aws:s3:::other-bucket/*',
    );
  });

  it('keeps $${ as a literal ${, and binary files byte for byte', () => {
    const labDir = mkdtempSync(path.join(os.tmpdir(), 'labwright-workspace-lab-'));
    try {
      writeFileSync(path.join(labDir, 'lab.yaml'), 'id: tiny\n');
      mkdirSync(path.join(labDir, 'files'));
      writeFileSync(path.join(labDir, 'files/run.sh'), 'echo ${name} $${HOME} ${unknown}\n');
      const binary = Buffer.from([0, 36, 123, 110, 97, 109, 101, 125, 255]); // \0${name}\xff
      writeFileSync(path.join(labDir, 'files/blob.bin'), binary);
      const dir = prepareWorkspace(labDir, 'tiny', { name: 'Ada' });
      expect(readFileSync(path.join(dir, 'files/run.sh'), 'utf8')).toBe(
        'echo Ada ${HOME} ${unknown}\n',
      );
      expect(readFileSync(path.join(dir, 'files/blob.bin'))).toEqual(binary);
    } finally {
      rmSync(labDir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!requireTool('aws'))('with the aws CLI', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ memory: true, log: () => undefined });
    });
    afterAll(async () => {
      await sandbox?.stop();
    });

    it("runs the create-role step's commands as shown, and the step's checks pass", async () => {
      const lab = await lesson();
      const overrides = { bucket: 'class-bucket' };
      const vars = resolveVars(lab.defaults, overrides, target);
      const dir = prepareWorkspace(lab.dir, lab.lab.id, vars);
      const step = lab.lab.steps.find((s) => s.id === 'create-role')!;
      const env = {
        ...process.env,
        AWS_ENDPOINT_URL: sandbox.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
      };
      for (const action of step.actions) {
        await run('bash', ['-c', describeAction(action, vars)], { cwd: dir, env });
      }

      const connection = await connect(
        resolveTarget({ target: 'localstack', endpoint: sandbox.endpoint }, {}),
      );
      try {
        const session = openLab({
          lab,
          connection,
          vars: overrides,
          progress: Progress.inMemory(lab.lab.id, connection.key),
        });
        const report = await session.runChecks({ steps: ['create-role'], wait: 'none' });
        const messages = report.steps[0]!.checks.map((c) => `${c.id}: ${c.status} ${c.message}`);
        expect(report.steps[0]!.status, messages.join('\n')).toBe('passed');
      } finally {
        connection.close();
      }
    });
  });
});
