/**
 * What the screen offers and shows of a step's actions, on the real engine and sandbox: the
 * bound lab's text (what is shown is what runs and is copied), a `solveOnly` fix that `solve`
 * runs but the screen never offers, and checks that follow each action as it runs.
 */
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOUND_TEXT,
  keys,
  openTestLab,
  renderApp,
  type Rendered,
  type TestLab,
} from './support.js';

let lab: TestLab | undefined;
let app: Rendered | undefined;

afterEach(async () => {
  app?.unmount();
  app = undefined;
  await lab?.close();
  lab = undefined;
});

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

describe('a step with a solveOnly fix', () => {
  it('offers every action but the fix, and runs each one the screen shows', async () => {
    lab = await openTestLab(BOUND_TEXT);
    app = await renderApp({ session: lab.session }, 100, 60);
    let frame = await app.waitFor('Do it');
    expect(frame).toContain('1. Create BoundTextRole');
    expect(frame).toContain('2. Create the bucket bound-text-bucket');
    expect(frame).not.toContain('The whole fix');
    expect(frame).not.toContain('ReadTheBucket');

    // The second action shown is the lab's third: it creates the bucket, and writes no policy.
    await app.press(keys.tab, keys.tab);
    await app.waitFor('› 2. Create the bucket');
    await app.press(keys.enter);
    frame = await app.waitFor('✓ bound-text-bucket exists');
    const s3 = new S3Client({ ...clientConfig(lab.sandbox.endpoint), forcePathStyle: true });
    const iam = new IAMClient(clientConfig(lab.sandbox.endpoint));
    try {
      await s3.send(new HeadBucketCommand({ Bucket: 'bound-text-bucket' }));
      await expect(
        iam.send(
          new GetRolePolicyCommand({ RoleName: 'BoundTextRole', PolicyName: 'ReadTheBucket' }),
        ),
      ).rejects.toMatchObject({ name: 'NoSuchEntityException' });

      // solve runs the fix the screen kept back, and the step passes.
      const { report } = await lab.engine.solve({ steps: ['grant'] });
      expect(report.steps[0]!.status).toBe('passed');
      const policy = await iam.send(
        new GetRolePolicyCommand({ RoleName: 'BoundTextRole', PolicyName: 'ReadTheBucket' }),
      );
      expect(decodeURIComponent(policy.PolicyDocument!)).toContain(
        'arn:aws:s3:::bound-text-bucket/*',
      );
    } finally {
      s3.destroy();
      iam.destroy();
    }
  });

  it("keeps the lesson's ListBucket fix out of step 4, which solve still runs", async () => {
    lab = await openTestLab();
    app = await renderApp({ session: lab.session, initialStep: 'test-access' }, 100, 80);
    await app.press(keys.end);
    const frame = await app.waitFor('Your own terminal');
    expect(frame).toContain('1. Create the bucket');
    expect(frame).toContain('2. Upload the training data');
    expect(frame).not.toContain('Let the role list the bucket');
    expect(frame).not.toContain('put-role-policy');

    await lab.actElsewhere('create-role');
    const { report } = await lab.engine.solve({ steps: ['test-access'] });
    const listing = report.steps[0]!.checks.find((check) => check.id === 'list-as-role')!;
    expect(listing.status, listing.message).toBe('passed');
  });
});

describe('the bound lab on screen', () => {
  it('shows the variables given, and an action without cli: as the call it sends, its file read and filled in', async () => {
    lab = await openTestLab(BOUND_TEXT, { roleName: 'ClassRole7', bucket: 'class-bucket-7' });
    const copied: string[] = [];
    app = await renderApp({ session: lab.session, copy: (text) => copied.push(text) }, 200, 60);
    const frame = await app.waitFor('Do it');
    expect(frame).toContain('Let ClassRole7 read class-bucket-7');
    expect(frame).toContain('Give ClassRole7 its policy');
    expect(frame).not.toContain('${');
    expect(frame).not.toContain('file:');

    // y1 is the first action's command: the trust policy document it sends, not a file reference.
    await app.press('y', '1');
    await app.waitFor('Copied to the clipboard');
    for (let i = 0; i < 100 && copied.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(copied).toHaveLength(1);
    const command = copied[0]!;
    expect(command).toMatch(/^aws iam create-role --role-name ClassRole7 /);
    expect(command).toContain('--assume-role-policy-document');
    expect(command).toContain('sagemaker.amazonaws.com');
    const sent = lab.engine.bound.steps[0]!.actions[0]!;
    expect('input' in sent && JSON.stringify(sent.input)).toContain('sagemaker.amazonaws.com');
  });
});

describe('checks after each action', () => {
  it('re-checks after every action, so the checks agree with what ran before the step passes', async () => {
    lab = await openTestLab(BOUND_TEXT);
    app = await renderApp({ session: lab.session }, 100, 60);
    await app.waitFor('Do it');
    await app.press(keys.enter);
    await app.waitFor('› 1. Create BoundTextRole');
    await app.press(keys.enter);
    // The role exists now, and the checks say so at once: the bucket and the grant still do not.
    const frame = await app.waitFor(
      (text) =>
        text.includes('✓ BoundTextRole exists') && text.includes('✗ BoundTextRole can read'),
    );
    expect(frame).toContain('✗ bound-text-bucket exists');
    expect(frame).not.toContain('This step passed');
  });
});

describe('the terminal lines', () => {
  /** y3: the terminal lines of the bound-text step (y1 and y2 are its two actions' commands). */
  async function terminalLines(command: string): Promise<string> {
    lab = await openTestLab(BOUND_TEXT);
    const copied: string[] = [];
    app = await renderApp(
      { session: lab.session, command, copy: (text) => copied.push(text) },
      120,
      60,
    );
    await app.waitFor('Your own terminal');
    await app.press('y', '3');
    for (let i = 0; i < 100 && copied.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(copied[0]).toMatch(/^cd /);
    return copied[0]!;
  }

  it("define labwright when it is not on the PATH, so the lab's own labwright lines run there", async () => {
    const lines = await terminalLines('npx labwright');
    const bin = path.resolve(__dirname, '../../bin/labwright.js');
    expect(lines).toMatch(/\nlabwright\(\) \{ node '?(.+?)'? "\$@"; \}$/);
    expect(lines).toContain(bin);
    const { version } = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'),
    ) as { version: string };
    const out = execFileSync('bash', ['-e', '-c', `${lines}\nlabwright --version`], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(version);
  });

  it('leave labwright alone when it is on the PATH', async () => {
    expect(await terminalLines('labwright')).not.toContain('labwright()');
  });
});
