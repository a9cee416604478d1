/**
 * The format's primitives through the real CLI on the sandbox (issue 14 §3): action outputs
 * (`${actions.<id>.<JMESPath>}`, kept with progress), the built-ins (runId, workspace), variable
 * defaults that use variables, shell actions in the workspace, check `needs`, optional steps in
 * `solve`, and progress per set of variables; then Lesson 9.3, which uses them all with a waiter.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabReport } from '../../src/engine/report.js';
import { progressFile, type ProgressData } from '../../src/engine/progress.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { labwright, makeHome, REPO, sharedSandbox, STACK_FRAME, type Home } from './support.js';

let home: Home;
let sandbox: Sandbox;
let s3: S3Client;
let labDir: string;

const LAB = `id: primitives
title: Primitives
vars:
  bucket: prim-\${account}
  docName:
    default: "\${bucket}-doc"
steps:
  - id: make
    title: Make things
    actions:
      - title: Create the bucket
        aws: s3:CreateBucket
        input: { Bucket: "\${bucket}" }
        ignoreErrors: [BucketAlreadyOwnedByYou]
      - id: doc
        title: Read the filled-in file from the workspace
        shell: cat files/doc.json
      - title: Store the run id under the name the file gave
        aws: s3:PutObject
        input: { Bucket: "\${bucket}", Key: "\${actions.doc.name}", Body: "\${runId}" }
    checks:
      - id: object-there
        title: The object named by the file exists
        type: s3.objects.list
        with: { bucket: "\${bucket}", keys: ["\${actions.doc.name}"] }
      - id: absent
        title: An object nobody made
        type: s3.objects.list
        with: { bucket: "\${bucket}", keys: [nobody-made-this] }
        optional: true
        retry: { timeoutSeconds: 1 }
        hints:
          - "Only \${actions.doc.name} was made, from files/doc.json."
      - id: after-absent
        title: Builds on the absent object
        type: s3.objects.list
        with: { bucket: "\${bucket}" }
        needs: [absent]
  - id: extra
    title: Something optional
    optional: true
    actions:
      - title: Put the extra object
        aws: s3:PutObject
        input: { Bucket: "\${bucket}", Key: extra.txt, Body: extra }
    checks:
      - id: extra-there
        type: s3.objects.list
        with: { bucket: "\${bucket}", keys: [extra.txt] }
`;

beforeAll(async () => {
  home = makeHome();
  sandbox = await sharedSandbox(home);
  s3 = new S3Client({
    endpoint: sandbox.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  labDir = path.join(home.dir, 'primitives');
  mkdirSync(path.join(labDir, 'files'), { recursive: true });
  writeFileSync(path.join(labDir, 'lab.yaml'), LAB);
  writeFileSync(path.join(labDir, 'files/doc.json'), '{ "name": "${docName}.txt" }\n');
});

afterAll(async () => {
  s3?.destroy();
  await sandbox?.stop();
});

const BUCKET = 'prim-000000000000';

function progressOf(labId: string, vars: Record<string, string> = {}): ProgressData {
  const file = progressFile(labId, 'sandbox', home.env, vars);
  return JSON.parse(readFileSync(file, 'utf8')) as ProgressData;
}

function checkOf(report: LabReport, stepId: string, checkId: string) {
  return report.steps.find((s) => s.id === stepId)!.checks.find((c) => c.id === checkId)!;
}

async function objectText(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe('format primitives on the sandbox', () => {
  it('a check using an action output before the action ran says which action to run', async () => {
    const result = await labwright(home, [
      'check',
      labDir,
      '--json',
      '--no-wait',
      '--step',
      'make',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    const report = JSON.parse(result.stdout) as LabReport;
    const check = checkOf(report, 'make', 'object-there');
    expect(check.status).toBe('error');
    expect(check.message).toContain('${actions.doc.name} needs the action "doc" to have run first');
    // A hint never shows a raw reference: before the action ran, it says what will fill it.
    expect(checkOf(report, 'make', 'absent').hint).toBe(
      'Only (what the action "doc" returns, once it has run) was made, from files/doc.json.',
    );
  });

  it(
    'solve fills the workspace file, passes a shell output to the next action, skips a check whose need failed, and leaves optional steps alone',
    { timeout: 120_000 },
    async () => {
      const result = await labwright(home, ['solve', labDir, '--json']);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      const report = JSON.parse(result.stdout) as LabReport;
      const progress = progressOf('primitives');
      // The shell action read files/doc.json in the workspace: `${docName}` filled in, itself
      // a default built from `${bucket}`, itself built from `${account}`.
      expect(progress.outputs?.doc).toEqual({ name: `${BUCKET}-doc.txt` });
      expect(progress.runId).toMatch(/^r[0-9a-f]{8}$/);
      expect(await objectText(BUCKET, `${BUCKET}-doc.txt`)).toBe(progress.runId);
      expect(checkOf(report, 'make', 'object-there').status).toBe('passed');
      const skipped = checkOf(report, 'make', 'after-absent');
      expect(skipped.status).toBe('skipped');
      expect(skipped.message).toBe('needs An object nobody made');
      // Hints get action outputs filled in, as checks' settings do.
      expect(checkOf(report, 'make', 'absent').hint).toBe(
        `Only ${BUCKET}-doc.txt was made, from files/doc.json.`,
      );
      expect(result.status).toBe(1);
      // The optional step's action did not run.
      expect(await exists(BUCKET, 'extra.txt')).toBe(false);
    },
  );

  it('a later process resolves action outputs from progress, with the same runId', async () => {
    const before = progressOf('primitives').runId;
    const result = await labwright(home, [
      'check',
      labDir,
      '--json',
      '--no-wait',
      '--step',
      'make',
    ]);
    const report = JSON.parse(result.stdout) as LabReport;
    expect(checkOf(report, 'make', 'object-there').status).toBe('passed');
    expect(progressOf('primitives').runId).toBe(before);
  });

  it('solve --all runs optional steps too', { timeout: 120_000 }, async () => {
    await labwright(home, ['solve', labDir, '--all', '--no-wait']);
    expect(await exists(BUCKET, 'extra.txt')).toBe(true);
  });

  it('progress is kept per set of variables: another --var starts clean', async () => {
    const result = await labwright(home, [
      'check',
      labDir,
      '--json',
      '--no-wait',
      '--var',
      'bucket=prim-other',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    const other = progressOf('primitives', { bucket: 'prim-other' });
    const mine = progressOf('primitives');
    expect(other.runId).not.toBe(mine.runId);
    expect(other.outputs ?? {}).toEqual({});
    expect(other.checks['make/object-there']?.status).toBe('error');
    expect(mine.checks['make/object-there']?.status).toBe('passed');
  });

  it('validate names a cycle in variable defaults, an unknown action id, an action output in instructions and a need that is not before', async () => {
    const bad = path.join(home.dir, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(
      path.join(bad, 'lab.yaml'),
      `id: bad
title: Bad
vars:
  a: "\${b}-x"
  b: "\${a}-y"
steps:
  - id: one
    title: One
    instructions: "Your role is \${actions.call.Role.Arn}."
    actions:
      - title: Call
        id: call
        aws: iam:GetRole
        input: { RoleName: "\${actions.nope.Role.Arn}" }
    checks:
      - id: first
        type: s3.bucket.exists
        with: { bucket: x-bucket }
        needs: [second]
      - id: second
        type: s3.bucket.exists
        with: { bucket: x-bucket }
`,
    );
    const result = await labwright(home, ['validate', bad]);
    expect(result.status).toBe(2);
    expect(result.stdout + result.stderr).toMatch(
      /lab\.yaml:4:3: the variables' defaults use each other in a cycle: a -> b -> a/,
    );
    expect(result.stdout + result.stderr).toMatch(
      /lab\.yaml:14:\d+: \$\{actions\.nope\.Role\.Arn\}: no action has id "nope"/,
    );
    expect(result.stdout + result.stderr).toMatch(
      /lab\.yaml:9:\d+: \$\{actions\.call\.Role\.Arn\}: an action's output is filled in actions, checks and hints, not in text shown before the action runs/,
    );
    expect(result.stdout + result.stderr).toMatch(
      /lab\.yaml:19:\d+: needs "second", which is not a check before this one/,
    );
  });
});

describe('Lesson 9.3 on the sandbox', () => {
  it(
    'solve starts the job named with runId, waits for it, and every required check passes',
    { timeout: 240_000 },
    async () => {
      const lab = path.join(REPO, 'labs/sagemaker-training-job');
      const result = await labwright(home, ['solve', lab, '--json']);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.status, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as LabReport;
      const progress = progressOf('sagemaker-training-job');
      const job = `lesson-9-3-${progress.runId}`;
      expect(checkOf(report, 'train', 'job-completed').message).toContain(job);
      // The role's ARN came from the GetRole action's output, the waiter's last answer is kept.
      expect((progress.outputs?.trained as { TrainingJobStatus?: string }).TrainingJobStatus).toBe(
        'Completed',
      );
      expect(
        existsSync(path.join(home.stateHome, 'labwright/workspace/sagemaker-training-job')),
      ).toBe(true);
    },
  );
});
