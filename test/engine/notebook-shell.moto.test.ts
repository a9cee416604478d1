/**
 * `labwright notebook-shell` against moto server (`--endpoint`), as with LocalStack: an endpoint
 * cannot act as SageMaker, so labwright reads the trust policy itself, then makes a plain
 * sts:AssumeRole with the student's credentials, and says so. The aws CLI is the command.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateNotebookInstanceCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { labwright, makeHome, STACK_FRAME, type Home } from './support.js';

const ready = requireTool('moto_server') && requireTool('aws');

describe.skipIf(!ready)('labwright notebook-shell against moto server', () => {
  let moto: Moto;
  let home: Home;

  beforeAll(async () => {
    moto = await startMoto();
    home = makeHome();
    const solved = await labwright(home, [
      'solve',
      'sagemaker-iam-roles',
      '--step',
      'create-role',
      '--step',
      'assign-role',
      '--endpoint',
      moto.endpoint,
      '--no-wait',
    ]);
    expect(solved.status, solved.stdout + solved.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it("runs the command as the notebook's role, through a plain AssumeRole it names", async () => {
    const result = await labwright(home, [
      'notebook-shell',
      'sagemaker-iam-roles',
      'MyNotebookInstance',
      '--endpoint',
      moto.endpoint,
      '--',
      'aws',
      'sts',
      'get-caller-identity',
      '--query',
      'Arn',
      '--output',
      'text',
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(
      'arn:aws:sts::000000000000:assumed-role/SageMakerExecutionRole/SageMaker',
    );
    expect(result.stderr).toContain('a plain sts:AssumeRole with your credentials');
  }, 120_000);

  it('refuses a role that does not trust SageMaker, though moto would let anyone assume it', async () => {
    const config = {
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const iam = new IAMClient(config);
    const sagemaker = new SageMakerClient(config);
    try {
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'Ec2OnlyRole',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'ec2.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      // moto does not check the trust policy when the notebook is created.
      await sagemaker.send(
        new CreateNotebookInstanceCommand({
          NotebookInstanceName: 'Ec2Notebook',
          InstanceType: 'ml.t2.medium',
          RoleArn: 'arn:aws:iam::000000000000:role/Ec2OnlyRole',
        }),
      );
    } finally {
      iam.destroy();
      sagemaker.destroy();
    }
    const result = await labwright(home, [
      'notebook-shell',
      'sagemaker-iam-roles',
      'Ec2Notebook',
      '--endpoint',
      moto.endpoint,
      '--',
      'true',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).toContain(
      'SageMaker cannot assume Ec2OnlyRole: its trust policy (AssumeRolePolicyDocument) does not allow sagemaker.amazonaws.com',
    );
  }, 120_000);
});
