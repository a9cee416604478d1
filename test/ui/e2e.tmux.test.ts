/**
 * A student's session in a real terminal (tmux, 80x24): start the lab, answer the quiz,
 * solve create-role with "run it for me", see the checks pass, break a permission from
 * another shell with the aws CLI against the sandbox the screen points at, see the check
 * fail and take a hint, quit with Ctrl-C, start again and land where they were.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';
import { requireTmux, Terminal } from './tmux.js';

const ready = requireTmux() && requireTool('aws');
const repo = path.resolve(__dirname, '../..');

describe.skipIf(!ready)('labwright run in a real terminal', () => {
  const state = mkdtempSync(path.join(os.tmpdir(), 'labwright-e2e-'));
  const terminal = new Terminal(80, 24);
  const start = `node bin/labwright.js run sagemaker-iam-roles`;

  afterAll(() => {
    terminal.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it('takes a student through the quiz and create-role, shows a broken permission, and resumes', async () => {
    terminal.start(repo, { XDG_STATE_HOME: state });
    terminal.typeLine(start);

    // The intro's quiz, answered in place.
    await terminal.waitFor('Quiz 1/3');
    terminal.press('2');
    await terminal.waitFor('Right.');
    terminal.press('Enter');
    await terminal.waitFor('Quiz 2/3');
    terminal.press('2', 'Enter');
    await terminal.waitFor('Quiz 3/3');
    terminal.press('3');
    await terminal.waitFor('see the result');
    terminal.press('Enter');
    let screen = await terminal.waitFor('This step passed');
    expect(screen).toContain('✓ Roles in SageMaker, in three questions');
    expect(screen).toMatch(/ 5\/100 /);

    // create-role: "run it for me" on each of its five actions.
    terminal.press('n');
    screen = await terminal.waitFor('Step 2/7 Create an IAM role for SageMaker');
    expect(screen).toMatch(/SANDBOX/);
    terminal.press('Tab');
    for (let action = 1; action <= 5; action++) {
      await terminal.waitFor(`› ${action}. `);
      await terminal.waitFor('enter run it for me');
      terminal.press('Enter');
      if (action < 5) await terminal.waitFor(`› ${action + 1}. `);
    }
    screen = await terminal.waitFor('This step passed');
    for (const check of [
      'The role exists',
      'Only SageMaker may assume it',
      'It can write CloudWatch logs',
    ]) {
      expect(screen).toContain(`✓ ${check}`);
    }
    expect(screen).toMatch(/ 35\/100 /);

    // The export lines at the end of the step point another terminal at this sandbox.
    terminal.press('End');
    screen = await terminal.waitFor(/export AWS_DEFAULT_REGION=/);
    const exported = Object.fromEntries(
      [...screen.matchAll(/^export (AWS_[A-Z_]+)=(\S+)$/gm)].map((match) => [match[1]!, match[2]!]),
    );
    expect(exported).toMatchObject({
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    expect(exported.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // Another shell breaks a permission with the aws CLI, against the same sandbox.
    const shellEnv: NodeJS.ProcessEnv = { ...process.env, ...exported };
    for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_REGION']) delete shellEnv[name];
    execFileSync(
      'aws',
      [
        'iam',
        'detach-role-policy',
        '--role-name',
        'SageMakerExecutionRole',
        '--policy-arn',
        'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess',
      ],
      { env: shellEnv, stdio: 'pipe' },
    );

    terminal.press('c');
    screen = await terminal.waitFor('✗ It can write CloudWatch logs');
    expect(screen).toContain('✓ The role exists');
    expect(screen).toMatch(/ 30\/100 /);
    terminal.press('h');
    screen = await terminal.waitFor('Hint 1/2');
    expect(screen).toContain('/aws/sagemaker/TrainingJobs');

    // Ctrl-C gives the shell back, with a word on where the student is.
    terminal.press('C-c');
    screen = await terminal.waitFor(
      'Progress saved: 30/100, at "Create an IAM role for SageMaker"',
    );
    // labwright is not on the PATH after a plain npm install: the line says what works.
    expect(screen).toMatch(/Continue with: (npx )?labwright run sagemaker-iam-roles/);

    // Starting again lands on the same step, with its verdicts and the hint already taken.
    terminal.typeLine(start);
    screen = await terminal.waitFor('Step 2/7 Create an IAM role for SageMaker');
    screen = await terminal.waitFor('Hint 1/2');
    expect(screen).toContain('✗ It can write CloudWatch logs');
    expect(screen).toMatch(/ 30\/100 /);
    terminal.press('q');
    await terminal.waitFor('Progress saved');
  });

  it('draws in colour, and in none at all under NO_COLOR', async () => {
    // An SGR escape setting a colour (or inverse video), as tmux replays it with capture-pane -e.
    const colour = new RegExp(String.raw`\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;5;\d+|7)m`);
    terminal.typeLine(start);
    await terminal.waitFor('Step 2/7');
    expect(terminal.screen({ escapes: true })).toMatch(colour);
    terminal.press('q');
    await terminal.waitFor('Progress saved');
    terminal.typeLine('clear');
    terminal.typeLine(`NO_COLOR=1 ${start}`);
    await terminal.waitFor('Step 2/7');
    expect(terminal.screen({ escapes: true })).not.toMatch(colour);
    terminal.press('q');
    await terminal.waitFor('Progress saved');
  });
});
