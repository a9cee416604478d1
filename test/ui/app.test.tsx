/**
 * The guided lab screen, driven by keys, on the real lab, engine and sandbox: the quiz, "run
 * it for me", checks, the hint sequence, watch mode, the step list, help, quitting and resize.
 */
import { readFileSync } from 'node:fs';
import { splitOutsideQuotes } from '../../src/ui/text/command-lines.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fitsIn,
  keys,
  openTestLab,
  renderApp,
  TWO_STEPS,
  type Rendered,
  type TestLab,
} from './support.js';

let lab: TestLab;
let app: Rendered | undefined;

beforeEach(async () => {
  lab = await openTestLab();
});

afterEach(async () => {
  app?.unmount();
  app = undefined;
  await lab.close();
});

/** Waits for the saved progress to say something (it is written as the screen changes). */
async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const saved = () =>
  JSON.parse(readFileSync(lab.progressFile, 'utf8')) as {
    answers: Record<string, number>;
    hintsSeen: Record<string, number>;
    currentStep?: string;
  };

describe('the intro quiz', () => {
  it('is answered in place, one question at a time; the first answer counts and a wrong one gives nothing away', async () => {
    app = await renderApp({ session: lab.session });
    await app.waitFor('Quiz 1/3');
    expect(app.frame()).toContain('the first answer counts');
    expect(app.frame()).toContain('Press 1-3 to answer.');

    await app.press('1');
    let frame = await app.waitFor('Not right.');
    expect(frame).toContain('Your first answer is the one that counts');
    // Neither the right answer nor the explanation that gives it away.
    expect(frame).not.toContain('the answer is');
    expect(frame).not.toContain('SageMaker assumes the execution role');
    expect(frame).not.toMatch(/✓ 2 /);
    await eventually(() => expect(saved().answers['who-assumes']).toBe(0));
    // A second answer changes nothing.
    await app.press('2');
    expect(saved().answers['who-assumes']).toBe(0);

    await app.press(keys.enter, '2');
    frame = await app.waitFor('Right.');
    expect(frame).toContain('naming sagemaker.amazonaws.com');
    await app.press(keys.enter, '3');
    await app.waitFor('see the result');
    await app.press(keys.enter);
    frame = await app.waitFor('✗ Roles in SageMaker, in three questions');
    expect(saved().answers).toEqual({ 'who-assumes': 0, trust: 1, 'least-privilege': 2 });

    // `a` shows the answers as they were counted; answering again does not change them.
    await app.press('a');
    await app.waitFor('Quiz 1/3');
    await app.press('2', keys.enter, '2', keys.enter, '3', keys.enter);
    frame = await app.waitFor('✗ Roles in SageMaker, in three questions');
    expect(saved().answers).toEqual({ 'who-assumes': 0, trust: 1, 'least-privilege': 2 });
    expect(frame).toMatch(/ 0\/100 /);
  });

  it('lists the answer keys in the help', async () => {
    app = await renderApp({ session: lab.session }, 80, 30);
    await app.waitFor('Quiz 1/3');
    await app.press('?');
    const frame = await app.waitFor('Keys');
    expect(frame).toContain('answer the quiz (the first answer counts)');
  });
});

describe('keys', () => {
  it('handles keys that arrive in one burst, each in turn', async () => {
    app = await renderApp({ session: lab.session, initialStep: 'test-access' });
    await app.waitFor('Step 4/7');
    // One write: the terminal hands the three keys over at once.
    app.stdin.write('ppp');
    await app.waitFor('Step 1/7');
    app.stdin.write('nn');
    await app.waitFor('Step 3/7');
  });

  it('keeps h, n/p, s and q in the footer at 60 columns', async () => {
    app = await renderApp({ session: lab.session, initialStep: 'create-role' }, 60, 20);
    const frame = await app.waitFor('Step 2/7');
    const footer = frame.split('\n').at(-1)!;
    for (const key of ['h hint', 'n/p step', 's steps', 'q quit', '? help'])
      expect(footer).toContain(key);
  });
});

describe('the sandbox', () => {
  it('says when it is not on port 4566, and that it lives only while the lab runs', async () => {
    // The test's sandbox listens on a free port, as the TUI's does when 4566 is taken.
    const port = new URL(lab.sandbox.endpoint).port;
    app = await renderApp({ session: lab.session, initialStep: 'create-role' }, 100, 40);
    let frame = await app.waitFor(`Port 4566 was taken, so the sandbox listens on port ${port}`);
    await app.press(keys.end);
    frame = await app.waitFor('The sandbox runs only while this lab is open');
    expect(frame).toContain(`export AWS_ENDPOINT_URL=http://127.0.0.1:${port}`);
  });
});

describe('copying commands', () => {
  const widths = [120, 80, 60];
  for (const columns of widths) {
    it(`copies each command of a step exactly, and shows it unbroken inside words, at ${columns} columns`, async () => {
      const copied: string[] = [];
      app = await renderApp(
        { session: lab.session, initialStep: 'cloudwatch-logs', copy: (text) => copied.push(text) },
        columns,
        60,
      );
      await app.waitFor('Step 5/7');
      const step = lab.session.lab.steps.find((s) => s.id === 'cloudwatch-logs')!;
      // The bound lab: what the screen shows is what runs.
      const expected = step.actions.map((action) => (action.cli ?? '').trim());
      // y1 and y2 are the instructions' commands, y3 and y4 the actions', y5 the terminal's.
      await app.press('y', '3');
      await app.waitFor('Copied to the clipboard');
      await app.press('y', '4');
      await eventually(() => expect(copied).toHaveLength(2));
      expect(copied).toEqual(expected);
      await app.press('y', '5');
      await eventually(() => expect(copied).toHaveLength(3));
      expect(copied[2]).toContain(`cd ${lab.session.workDir}`);
      expect(copied[2]).toContain('export AWS_ENDPOINT_URL=http://127.0.0.1:');

      // On screen: the training job's command, as laid out, pastes back to the same command.
      await app.press(keys.tab, keys.tab);
      const frame = await app.waitFor('› 2. Run a training job as the role');
      const lines = frame.split('\n');
      const start = lines.findIndex((line) => line.includes('› 2. Run a training job')) + 1;
      expect(lines[start]).toMatch(/^aws sagemaker create-training-job/);
      let end = start;
      while (lines[end]!.endsWith(' \\')) end++;
      const shown = lines.slice(start, end + 1);
      // Every word shown is a whole word of the command; a line wider than the screen is cut
      // at its edge (…) and scrolls sideways, and the copy key gives it whole.
      const words = new Set(splitOutsideQuotes(expected[1]!));
      for (const line of shown) {
        const lineWords = splitOutsideQuotes(line.replace(/ \\$/, ''));
        if (line.endsWith('…')) lineWords.pop();
        for (const word of lineWords) expect(words).toContain(word);
      }
      if (!shown.some((line) => line.endsWith('…'))) {
        expect(shown.join('\n').replace(/ \\\n */g, ' ')).toBe(expected[1]);
      }
    });
  }

  it('copies the command of the chosen action with y y', async () => {
    const copied: string[] = [];
    app = await renderApp({
      session: lab.session,
      initialStep: 'create-role',
      copy: (text) => copied.push(text),
    });
    await app.press(keys.tab);
    await app.waitFor('› 1. ');
    await app.press('y', 'y');
    await eventually(() => expect(copied).toHaveLength(1));
    expect(copied[0]).toMatch(/^aws iam create-role --role-name SageMakerExecutionRole /);
  });
});

describe('create-role', () => {
  it('runs each action for the student, then shows every check passing', async () => {
    app = await renderApp({ session: lab.session, initialStep: 'create-role' });
    await app.waitFor('Step 2/7 Create an IAM role for SageMaker');
    // Enter first brings the first action into view; nothing runs unseen.
    await app.press(keys.enter);
    let frame = await app.waitFor('› 1. Create the role, trusted by SageMaker');
    expect(frame).toContain('enter run it for me');
    expect(frame).toContain('aws iam create-role \\');
    expect(lab.engine.progress.data.checks).toEqual({});

    for (let action = 1; action <= 5; action++) {
      await app.waitFor(`› ${action}. `);
      await app.press(keys.enter);
      if (action < 5) await app.waitFor(`› ${action + 1}. `);
    }
    frame = await app.waitFor('This step passed');
    for (const check of [
      'The role exists',
      'Only SageMaker may assume it',
      'It can read and write objects',
      'It can write CloudWatch logs',
      'It can pull container images',
    ]) {
      expect(frame).toContain(`✓ ${check}`);
    }
    expect(frame).toMatch(/ 30\/100 /);
    expect(frame).toMatch(/Step 2\/7 .*○ ✓ ○ ○ ○ ○ ◇/);
  });

  it('shows what AWS answered to an action, as the aws CLI would print it', async () => {
    app = await renderApp({ session: lab.session, initialStep: 'intro' });
    await app.waitFor('Quiz 1/3');
    await app.press(keys.enter);
    await app.waitFor('› 1. See which account and identity you are using');
    await app.press(keys.enter);
    const frame = await app.waitFor('"Account": "000000000000"');
    expect(frame).toContain('✓ done');
    expect(frame).toContain('"Arn": "arn:aws:iam::000000000000:root"');
  });

  it('"I will do it myself" leaves the action to the student', async () => {
    app = await renderApp({ session: lab.session, initialStep: 'create-role' });
    await app.press(keys.tab);
    await app.waitFor('› 1. ');
    await app.press('m');
    const frame = await app.waitFor('› 2. ');
    expect(frame).not.toContain('✓ done');
    await app.press(keys.tab, keys.tab, keys.tab, keys.tab);
    await app.waitFor('› 1. ');
    expect(app.frame()).toContain('You do this one: run the command above, then press c to check.');
    // Nothing was created for them.
    await app.press('c');
    await app.waitFor('✗ The role exists');
  });

  it('reveals hints one at a time, records them, and moves to the next check when one runs out', async () => {
    app = await renderApp({ session: lab.session, initialStep: 'create-role' });
    await app.press('c');
    let frame = await app.waitFor('✗ The role exists');
    expect(frame).toContain('no role named SageMakerExecutionRole');
    expect(frame).not.toContain('Hint ');

    await app.press('h');
    frame = await app.waitFor('Hint 1/2: Create a role named SageMakerExecutionRole');
    expect(saved().hintsSeen['create-role/role-exists']).toBe(1);

    await app.press('h');
    frame = await app.waitFor('Hint 2/2: aws iam create-role');
    expect(frame).not.toContain('Hint 1/2');
    expect(saved().hintsSeen['create-role/role-exists']).toBe(2);

    // role-exists has no hints left: the next one is for the next failing check.
    await app.press('h');
    frame = await app.waitFor('Hint 1/2: The trust policy decides who may assume the role');
    expect(saved().hintsSeen).toEqual({
      'create-role/role-exists': 2,
      'create-role/trusts-sagemaker': 1,
    });
    expect(lab.engine.progress.hintsUsed()).toBe(3);

    // `d` shows every check with its whole message and all the hints taken.
    await app.press('d');
    frame = await app.waitFor('Press any key to go back.');
    expect(frame).toContain('Hint 1/2: Create a role named');
    expect(frame).toContain('Hint 2/2: aws iam create-role');
  });

  it('watch mode re-checks while the student works elsewhere, and moves on when the step passes', async () => {
    app = await renderApp({
      session: lab.session,
      initialStep: 'create-role',
      watchIntervalMs: 200,
    });
    await app.press('w');
    await app.waitFor('watching: re-checking every few seconds');
    await app.waitFor('✗ The role exists');

    // The student's work, done in another terminal: the lab's own reference actions.
    const results = await lab.engine.runActions('create-role');
    expect(results.map((result) => result.status)).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done',
    ]);

    const frame = await app.waitFor('On to step 3');
    expect(frame).toContain('Step 3/7 Assign the role to a notebook instance');
    expect(frame).toContain('watching');
    await eventually(() => expect(saved().currentStep).toBe('assign-role'));
    await app.press('w');
    await app.waitFor((text) => !text.includes('watching: re-checking'));
  });
});

describe('on real AWS', () => {
  it('asks before "run it for me" creates something billed', async () => {
    // The same lab and sandbox, presented as an AWS account: what the screen does with it.
    const onAws = {
      ...lab.session,
      target: { ...lab.session.target, kind: 'aws' as const, account: '123456789012' },
    };
    app = await renderApp({ session: onAws, initialStep: 'assign-role' });
    let frame = await app.waitFor('REAL AWS');
    expect(frame).toContain('account 123456789012');
    await app.press(keys.enter);
    frame = await app.waitFor('› 1. Create the notebook instance with the role');
    expect(frame).toContain('Billed on real AWS: ml.t2.medium notebook instance');
    await lab.engine.runActions('create-role');
    const notebooks = async () =>
      (
        await lab.connection.clients.call<{ NotebookInstances?: unknown[] }>(
          'sagemaker',
          'ListNotebookInstances',
          {},
        )
      ).NotebookInstances ?? [];
    await app.press(keys.enter);
    frame = await app.waitFor('Press enter again to run it.');
    expect(frame).toContain('This creates ml.t2.medium notebook instance in account 123456789012');
    expect(await notebooks()).toEqual([]);
    await app.press(keys.enter);
    await app.waitFor('✓ done');
    expect(await notebooks()).toHaveLength(1);
  });
});

describe('the end of the lab', () => {
  let small: TestLab;
  beforeEach(async () => {
    small = await openTestLab(TWO_STEPS);
  });
  afterEach(async () => {
    app?.unmount();
    app = undefined;
    await small.close();
  });

  it('watch mode carries the student through every step to the completion screen', async () => {
    app = await renderApp({
      session: small.session,
      watchIntervalMs: 100,
      command: 'npx labwright',
    });
    await app.press('w');
    await app.waitFor('✗ The role exists');
    await small.actElsewhere('make-role');
    await app.waitFor('Step 2/2 Make a bucket');
    await app.waitFor('✗ The bucket exists');
    await small.actElsewhere('make-bucket');

    const frame = await app.waitFor('Lab complete');
    expect(frame).toContain('Score       20/20');
    expect(frame).toContain('Hints used  0');
    expect(frame).toContain('labwright reset two-steps');
    expect(frame).toContain('npx labwright reset two-steps');
    expect(small.engine.progress.data.completedAt).toBeDefined();
    expect(frame).not.toContain('watching');

    // Back to the lab; past the last step the summary comes back.
    await app.press(keys.enter);
    await app.waitFor((text) => !text.includes('Lab complete'));
    await app.press('n');
    await app.waitFor('Lab complete');
  });

  it('says what is left when the student goes past the last step too soon', async () => {
    app = await renderApp({ session: small.session, initialStep: 'make-bucket' });
    await app.press('n');
    await app.waitFor('This is the last step. Still to pass: steps 1, 2.');
  });
});

describe('moving around', () => {
  it('jumps between steps with n, p and the step list, and remembers the step', async () => {
    app = await renderApp({ session: lab.session });
    await app.waitFor('Step 1/7 IAM roles in SageMaker');
    await app.press('n');
    await app.waitFor('Step 2/7 Create an IAM role');
    await eventually(() => expect(saved().currentStep).toBe('create-role'));
    await app.press('p');
    await app.waitFor('Step 1/7 IAM roles');

    await app.press('s');
    let frame = await app.waitFor('↑↓ choose');
    expect(frame).toContain(
      '7. Define the role as code, in CloudFormation or Terraform (optional)',
    );
    await app.press(keys.down, keys.down, keys.down, keys.enter);
    frame = await app.waitFor('Step 4/7 Test data access as the role');
    await eventually(() => expect(saved().currentStep).toBe('test-access'));

    await app.press('s', '6');
    await app.waitFor('Step 6/7');
  });

  it('shows help on ?, and goes back on any key', async () => {
    app = await renderApp({ session: lab.session, initialStep: 'create-role' });
    await app.press('?');
    const frame = await app.waitFor('Progress is saved after every change');
    expect(frame).toContain('watch: re-check every few seconds');
    await app.press('x');
    await app.waitFor('Step 2/7');
  });

  it('quits on q and on Ctrl-C', async () => {
    let quits = 0;
    app = await renderApp({ session: lab.session, onQuit: () => quits++ });
    await app.waitFor('Step 1/7');
    // On the quiz, q still quits (answers are numbers).
    await app.press('q', keys.ctrlC);
    expect(quits).toBe(2);
  });

  it('lays itself out again on resize, never wider or taller than the terminal', async () => {
    app = await renderApp({ session: lab.session, initialStep: 'create-role' }, 80, 24);
    await app.waitFor('Step 2/7');
    const fits = fitsIn;
    expect(fits(80, 24)(app.frame())).toBe(true);

    app.resize(60, 18);
    let frame = await app.waitFor(fits(60, 18));
    expect(frame).toContain('SANDBOX');
    expect(frame).toContain('Checks');

    app.resize(120, 40);
    frame = await app.waitFor(fits(120, 40));
    expect(frame).toContain('Lesson 9.1: IAM Roles and Permissions for SageMaker');
    expect(frame).toContain('offline, nothing is billed');
  });
});
