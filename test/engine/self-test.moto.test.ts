/**
 * `labwright test --endpoint URL` on moto_server: every scenario shares the one account, and
 * the lab's cleanup runs before and after each, so a lab that cleans up after itself passes
 * there as on the sandbox.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SelfTestReport } from '../../src/engine/self-test.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { labwright, makeHome, REPO, STACK_FRAME, type Home } from './support.js';

const TUTORIAL = path.join(REPO, 'docs/tutorial/first-lab/lab.yaml');
const UNCAUGHT = path.join(REPO, 'test/fixtures/self-test/uncaught/lab.yaml');

describe.skipIf(!requireTool('moto_server'))('labwright test on moto server', () => {
  let moto: Moto;
  let home: Home;
  const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

  beforeAll(async () => {
    moto = await startMoto();
    home = makeHome();
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it(
    "passes the guide's lab, every scenario on the one account",
    { timeout: 180_000 },
    async () => {
      const result = await labwright(
        home,
        ['test', TUTORIAL, '--endpoint', moto.endpoint, '--json'],
        env,
      );
      expect(result.stderr).not.toMatch(STACK_FRAME);
      const report = JSON.parse(result.stdout) as SelfTestReport;
      expect(report.target).toMatchObject({ kind: 'endpoint', endpoint: moto.endpoint });
      expect(report.scenarios.map((s) => [s.name, s.status, s.problems])).toEqual([
        ['fresh', 'passed', []],
        ['solve', 'passed', []],
        ['reset', 'passed', []],
        ['object-actions-only', 'passed', []],
      ]);
      expect(result.status).toBe(0);
    },
  );

  it(
    'fails a lab whose cleanup forgets what it made, naming it',
    { timeout: 180_000 },
    async () => {
      await moto.reset();
      const result = await labwright(
        home,
        ['test', UNCAUGHT, '--endpoint', moto.endpoint, '--scenario', 'reset', '--json'],
        env,
      );
      expect(result.status).toBe(1);
      const report = JSON.parse(result.stdout) as SelfTestReport;
      expect(report.scenarios).toMatchObject([
        {
          name: 'reset',
          status: 'failed',
          problems: ["the lab's cleanup left behind IAM role: SelfTestRole"],
        },
      ]);
    },
  );
});
