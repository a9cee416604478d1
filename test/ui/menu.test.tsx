/**
 * The lab menu, shown when several labs are found: arrows and enter, or the lab's number.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { LabMenu } from '../../src/ui/components/LabMenu.js';
import type { LabEntry } from '../../src/lab/discover.js';
import { keys } from './support.js';

const labs: LabEntry[] = [
  {
    id: 'sagemaker-iam-roles',
    title: 'Lesson 9.1: IAM Roles and Permissions for SageMaker',
    file: '/labs/a/lab.yaml',
    source: 'bundled',
  },
  { id: 's3-basics', title: 'S3 basics', file: '/labs/b/lab.yaml', source: 'local' },
  { id: 'lambda-logs', title: 'Lambda and its logs', file: '/labs/c/lab.yaml', source: 'local' },
];

let app: ReturnType<typeof render> | undefined;
afterEach(() => app?.unmount());

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the lab menu', () => {
  it('lists the labs and opens the one chosen with the arrows and enter', async () => {
    const chosen: string[] = [];
    app = render(
      <LabMenu labs={labs} onChoose={(lab) => chosen.push(lab.id)} onQuit={() => undefined} />,
    );
    await settle();
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('Choose a lab');
    expect(frame).toContain('› 1. Lesson 9.1: IAM Roles and Permissions for SageMaker');
    expect(frame).toContain('3. Lambda and its logs');
    app.stdin.write(keys.down);
    await settle();
    expect(app.lastFrame()).toContain('› 2. S3 basics');
    // Typed fast, with no frame in between: enter opens the lab moved to.
    app.stdin.write(keys.down);
    app.stdin.write(keys.enter);
    await settle();
    expect(chosen).toEqual(['lambda-logs']);
  });

  it('opens a lab by its number, and quits on q', async () => {
    const chosen: string[] = [];
    let quit = 0;
    app = render(
      <LabMenu labs={labs} onChoose={(lab) => chosen.push(lab.id)} onQuit={() => quit++} />,
    );
    await settle();
    app.stdin.write('3');
    await settle();
    app.stdin.write('q');
    await settle();
    expect(chosen).toEqual(['lambda-logs']);
    expect(quit).toBe(1);
  });
});
