/**
 * `labwright test`, through the real CLI: every lab in labs/ proves itself on the sandbox (so
 * CI covers each lab added later), and a lab that does not prove itself fails, naming why.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SelfTestReport } from '../../src/engine/self-test.js';
import { requireTool } from '../support/tools.js';
import { labwright, makeHome, REPO, STACK_FRAME, type Home } from './support.js';

const LABS = readdirSync(path.join(REPO, 'labs')).filter((name) =>
  existsSync(path.join(REPO, 'labs', name, 'lab.yaml')),
);
const UNCAUGHT = path.join(REPO, 'test/fixtures/self-test/uncaught/lab.yaml');
/** The lab docs/authoring.md builds, step by step. */
const TUTORIAL = path.join(REPO, 'docs/tutorial/first-lab');

let home: Home;
beforeAll(() => {
  home = makeHome();
});

// The labs' cleanup lists and empties buckets with the aws CLI, as a student's shell would.
describe.skipIf(!requireTool('aws'))('labwright test on every lab in labs/', () => {
  it('finds the labs', () => {
    expect(LABS).toContain('sagemaker-iam-roles');
  });

  it.each(LABS)(
    '%s: fresh, solve, reset and every declared mistake pass',
    { timeout: 600_000 },
    async (lab) => {
      const result = await labwright(home, ['test', lab, '--json']);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      const report = JSON.parse(result.stdout) as SelfTestReport;
      const failed = report.scenarios.filter((scenario) => scenario.status !== 'passed');
      expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
      expect(result.status).toBe(0);
      const names = report.scenarios.map((scenario) => scenario.name);
      expect(names.slice(0, 3)).toEqual(['fresh', 'solve', 'reset']);
      // Every mistake the lab declares was made and judged.
      const declared = parse(readFileSync(path.join(REPO, 'labs', lab, 'lab.yaml'), 'utf8')) as {
        mistakes?: { id: string }[];
      };
      expect(names.slice(3)).toEqual((declared.mistakes ?? []).map((mistake) => mistake.id));
    },
  );
});

describe("docs/authoring.md's tutorial lab", () => {
  it('is the lab the guide shows, and passes labwright test', { timeout: 120_000 }, async () => {
    const guide = readFileSync(path.join(REPO, 'docs/authoring.md'), 'utf8');
    for (const file of ['lab.yaml', 'files/read-data-policy.json']) {
      expect(guide).toContain(readFileSync(path.join(TUTORIAL, file), 'utf8').trimEnd());
    }
    const result = await labwright(home, ['test', path.join(TUTORIAL, 'lab.yaml')]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ mistake object-actions-only');
    expect(result.stdout).toContain('all 4 scenarios passed');
  });
});

describe('a lab that does not prove itself', () => {
  it(
    'fails (exit 1), naming the mistake not caught, the check that passes fresh and what cleanup left',
    { timeout: 120_000 },
    async () => {
      const junit = path.join(home.dir, 'self-test.xml');
      const result = await labwright(home, ['test', UNCAUGHT, '--json', '--junit', junit]);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.status, result.stderr).toBe(1);
      const report = JSON.parse(result.stdout) as SelfTestReport;
      const byName = new Map(report.scenarios.map((scenario) => [scenario.name, scenario]));

      expect(byName.get('trusts-ec2')).toMatchObject({ kind: 'mistake', status: 'failed' });
      expect(byName.get('trusts-ec2')!.problems.join('\n')).toMatch(
        /the mistake is not caught: create-role\/role-exists passed/,
      );
      expect(byName.get('no-role')).toMatchObject({ status: 'passed' });
      expect(byName.get('fresh')!.problems.join('\n')).toMatch(
        /create-role\/whoami passes before anything is done/,
      );
      expect(byName.get('solve')).toMatchObject({ status: 'passed' });
      expect(byName.get('reset')!.problems).toEqual([
        "the lab's cleanup left behind IAM role: SelfTestRole",
      ]);

      const xml = readFileSync(junit, 'utf8');
      expect(xml).toMatch(/<testsuites name="labwright test uncaught" tests="5" failures="3"/);
      expect(xml).toMatch(
        /<testcase [^>]*name="mistake trusts-ec2: [^"]*"[^>]*>\s*<failure message="the mistake is not caught/,
      );
    },
  );

  it(
    'says so in text too, and runs only the scenarios asked for',
    { timeout: 60_000 },
    async () => {
      const result = await labwright(home, ['test', UNCAUGHT, '--scenario', 'trusts-ec2']);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        '✗ mistake trusts-ec2  The role trusts EC2, which nothing here checks',
      );
      expect(result.stdout).toContain('1 of 1 scenarios failed: trusts-ec2');
      expect(result.stdout).not.toContain('fresh');
    },
  );

  it('refuses a scenario the lab does not have (exit 2), listing those it has', async () => {
    const result = await labwright(home, ['test', UNCAUGHT, '--scenario', 'trust-ec2']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'labwright: the lab has no scenario "trust-ec2"; its scenarios are fresh, solve, reset, trusts-ec2, no-role',
    );
  });
});
