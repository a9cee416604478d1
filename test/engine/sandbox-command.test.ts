/**
 * The sandbox target as a student meets it: `labwright check` with nothing running starts a
 * sandbox for the duration of the command; `labwright sandbox` runs one in the foreground that
 * other terminals (`labwright check`, the aws CLI) share; a busy port is a sentence, exit 3.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { BIN, labwright, makeHome, sharedSandbox, STACK_FRAME } from './support.js';

const serverRecord = (stateHome: string) =>
  path.join(stateHome, 'labwright', 'sandbox', 'server.json');

describe('the sandbox target', () => {
  it('with no sandbox running, a command starts one for itself and removes its record after', async () => {
    const home = makeHome();
    const result = await labwright(home, [
      'check',
      'sagemaker-iam-roles',
      '--step',
      'create-role',
      '--no-wait',
      '--json',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.target).toMatchObject({
      kind: 'sandbox',
      account: '000000000000',
      region: 'us-east-1',
    });
    expect(report.target.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(
      report.steps[0].checks.find((c: { id: string }) => c.id === 'role-exists'),
    ).toMatchObject({
      status: 'failed',
    });
    expect(existsSync(serverRecord(home.stateHome))).toBe(false);
  });

  it('`labwright sandbox` serves other terminals until Ctrl-C', async () => {
    const home = makeHome();
    const sandbox = spawn(process.execPath, [BIN, 'sandbox', '--port', '0'], {
      cwd: home.cwd,
      env: home.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const endpoint = await new Promise<string>((resolve, reject) => {
        sandbox.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /export AWS_ENDPOINT_URL=(\S+)/.exec(stdout);
          if (match && stdout.includes('AWS_DEFAULT_REGION')) resolve(match[1]!);
        });
        sandbox.on('exit', (code) =>
          reject(new Error(`labwright sandbox exited with ${code}: ${stdout}`)),
        );
      });
      expect(stdout).toContain('export AWS_ACCESS_KEY_ID=test');
      expect(stdout).toContain('export AWS_SECRET_ACCESS_KEY=test');
      expect(stdout).toContain('export AWS_DEFAULT_REGION=us-east-1');
      expect(existsSync(serverRecord(home.stateHome))).toBe(true);

      // A second terminal: the same sandbox, not a new one.
      const check = await labwright(home, [
        'check',
        'sagemaker-iam-roles',
        '--step',
        'intro',
        '--no-wait',
        '--json',
      ]);
      expect(JSON.parse(check.stdout).target.endpoint).toBe(endpoint);

      // A second `labwright sandbox` for the same state refuses, with a sentence.
      const second = await labwright(home, ['sandbox', '--port', '0']);
      expect(second.status).toBe(3);
      expect(second.stderr).toContain(
        `a sandbox is already running for ${path.join(home.stateHome, 'labwright', 'sandbox')} at ${endpoint}`,
      );
    } finally {
      const exited = new Promise<number | null>((resolve) =>
        sandbox.on('exit', (code) => resolve(code)),
      );
      sandbox.kill('SIGINT');
      expect(await exited).toBe(0);
    }
    expect(existsSync(serverRecord(home.stateHome))).toBe(false);
  });

  it(
    'a check that uses another terminal’s sandbox outlives it: it takes the folder over',
    { timeout: 180_000 },
    async () => {
      const home = makeHome();
      // The other terminal: a sandbox recorded under a process of its own, which then ends.
      const sandbox = await sharedSandbox(home);
      const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], {
        stdio: 'ignore',
      });
      const record = serverRecord(home.stateHome);
      writeFileSync(
        record,
        JSON.stringify({ pid: owner.pid, port: sandbox.port, endpoint: sandbox.endpoint }),
      );
      // The check polls for the role: once it is asking, the other terminal quits.
      const check = labwright(home, [
        'check',
        'sagemaker-iam-roles',
        '--step',
        'create-role',
        '--json',
      ]);
      const asked = () =>
        sandbox.core.events
          .all()
          .some((e) => e.eventName === 'GetRole' && e.userAgent.includes('labwright/'));
      while (!asked()) await new Promise((resolve) => setTimeout(resolve, 50));
      await sandbox.stop();
      owner.kill('SIGKILL');
      const iam = new IAMClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 20,
      });
      // The role is made on the same address, which the checking process now serves.
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'SageMakerExecutionRole',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sagemaker.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      const result = await check;
      expect(result.stderr).not.toMatch(STACK_FRAME);
      const report = JSON.parse(result.stdout);
      expect(report.target.endpoint).toBe(sandbox.endpoint);
      expect(
        report.steps[0].checks.find((c: { id: string }) => c.id === 'role-exists'),
      ).toMatchObject({ status: 'passed' });
      expect(existsSync(record)).toBe(false);
    },
  );

  it('a port in use: exit 3 with a sentence', async () => {
    const home = makeHome();
    const busy: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
    );
    try {
      const result = await labwright(home, ['sandbox', '--port', String(port)]);
      expect(result.status).toBe(3);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stderr).toContain(`labwright: port ${port} is already in use`);
    } finally {
      busy.close();
    }
  });

  it('a port that is not a number: exit 2', async () => {
    const result = await labwright(makeHome(), ['sandbox', '--port', 'http']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--port must be a port number');
  });
});
