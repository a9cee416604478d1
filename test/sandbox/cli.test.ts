/**
 * The aws CLI and boto3, unchanged, against the sandbox: IAM and STS as the account, then
 * boto3 as the assumed role (least privilege), and CloudTrail's lookup-events.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { requireTool } from '../support/tools.js';
import { policy, trustRoot } from './helpers.js';
import { awsEnv, run, type Credentials } from './service-clients.js';

const hasAws = requireTool('aws');
const hasBoto3 = requireTool('boto3');
/** The python aws CLI takes seconds per call on a small machine. */
const SLOW = 180_000;

let sandbox: Sandbox;
const dir = mkdtempSync(join(tmpdir(), 'labwright-cli-'));

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

const aws = async (args: string[], credentials?: Credentials) => {
  const result = await run(
    'aws',
    [...args, '--output', 'json'],
    awsEnv(sandbox.endpoint, credentials),
  );
  return {
    ...result,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is checked field by field
    json: () => JSON.parse(result.stdout) as Record<string, any>,
  };
};

const BOTO3_AS_ROLE = `
import boto3, json, sys
sts = boto3.client('sts')
creds = sts.assume_role(RoleArn=sys.argv[1], RoleSessionName='notebook')['Credentials']
s3 = boto3.client('s3', aws_access_key_id=creds['AccessKeyId'],
                  aws_secret_access_key=creds['SecretAccessKey'],
                  aws_session_token=creds['SessionToken'])
out = {'whoami': boto3.client('sts', aws_access_key_id=creds['AccessKeyId'],
        aws_secret_access_key=creds['SecretAccessKey'],
        aws_session_token=creds['SessionToken']).get_caller_identity()['Arn']}
out['body'] = s3.get_object(Bucket='course-data', Key='train.csv')['Body'].read().decode()
# A signed upload with the role's credentials (streaming, checksummed, as boto3 sends it).
s3.put_object(Bucket='course-data', Key='out/model.txt', Body=b'weights' * 1000)
out['put'] = len(s3.get_object(Bucket='course-data', Key='out/model.txt')['Body'].read())
out['url'] = s3.generate_presigned_url('get_object', Params={'Bucket': 'course-data', 'Key': 'train.csv'}, ExpiresIn=300)
try:
    s3.list_objects_v2(Bucket='course-data')
    out['list'] = 'allowed'
except Exception as e:
    out['list'] = [e.response['Error']['Code'], e.response['Error']['Message']]
print(json.dumps(out))
`;

describe.skipIf(!hasAws)('the aws CLI', () => {
  it(
    'creates a role, attaches and inlines policies, and reads them back',
    async () => {
      const trustFile = join(dir, 'trust.json');
      writeFileSync(trustFile, trustRoot);
      const created = await aws([
        'iam',
        'create-role',
        '--role-name',
        'cli-role',
        '--assume-role-policy-document',
        `file://${trustFile}`,
      ]);
      expect(created.code, created.stderr).toBe(0);
      expect(created.json().Role.Arn).toBe('arn:aws:iam::000000000000:role/cli-role');
      // The CLI decodes the URL-encoded document back into JSON.
      expect(created.json().Role.AssumeRolePolicyDocument).toEqual(JSON.parse(trustRoot));

      const dup = await aws([
        'iam',
        'create-role',
        '--role-name',
        'cli-role',
        '--assume-role-policy-document',
        trustRoot,
      ]);
      expect(dup.code).not.toBe(0);
      expect(dup.stderr).toContain('(EntityAlreadyExists)');
      expect(dup.stderr).toContain('Role with name cli-role already exists.');

      const attach = await aws([
        'iam',
        'attach-role-policy',
        '--role-name',
        'cli-role',
        '--policy-arn',
        'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      ]);
      expect(attach.code, attach.stderr).toBe(0);
      const put = await aws([
        'iam',
        'put-role-policy',
        '--role-name',
        'cli-role',
        '--policy-name',
        'logs',
        '--policy-document',
        policy([{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }]),
      ]);
      expect(put.code, put.stderr).toBe(0);
      const attached = await aws(['iam', 'list-attached-role-policies', '--role-name', 'cli-role']);
      expect(attached.json().AttachedPolicies).toEqual([
        {
          PolicyName: 'AmazonS3ReadOnlyAccess',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
        },
      ]);
      const inline = await aws([
        'iam',
        'get-role-policy',
        '--role-name',
        'cli-role',
        '--policy-name',
        'logs',
      ]);
      expect(inline.json().PolicyDocument.Statement[0].Action).toBe('logs:*');

      const sim = await aws([
        'iam',
        'simulate-principal-policy',
        '--policy-source-arn',
        'arn:aws:iam::000000000000:role/cli-role',
        '--action-names',
        's3:GetObject',
        's3:PutObject',
      ]);
      expect(sim.code, sim.stderr).toBe(0);
      expect(
        sim.json().EvaluationResults.map((r: { EvalDecision: string }) => r.EvalDecision),
      ).toEqual(['allowed', 'implicitDeny']);

      const missing = await aws(['iam', 'get-role', '--role-name', 'nobody']);
      expect(missing.stderr).toContain('(NoSuchEntity)');
      expect(missing.stderr).toContain('The role with name nobody cannot be found.');
    },
    SLOW,
  );

  it(
    'gets the caller identity, assumes a role and looks up the events',
    async () => {
      const who = await aws(['sts', 'get-caller-identity']);
      expect(who.json()).toEqual({
        UserId: '000000000000',
        Account: '000000000000',
        Arn: 'arn:aws:iam::000000000000:root',
      });
      const assumed = await aws([
        'sts',
        'assume-role',
        '--role-arn',
        'arn:aws:iam::000000000000:role/cli-role',
        '--role-session-name',
        'cli',
      ]);
      expect(assumed.code, assumed.stderr).toBe(0);
      const c = assumed.json().Credentials;
      const asRole = await aws(['sts', 'get-caller-identity'], {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      });
      expect(asRole.json().Arn).toBe('arn:aws:sts::000000000000:assumed-role/cli-role/cli');
      const wrong = await aws(['sts', 'get-caller-identity'], {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: 'not-the-secret',
        sessionToken: c.SessionToken,
      });
      expect(wrong.stderr).toContain('(SignatureDoesNotMatch)');

      const events = await aws([
        'cloudtrail',
        'lookup-events',
        '--lookup-attributes',
        'AttributeKey=EventName,AttributeValue=AssumeRole',
      ]);
      expect(events.code, events.stderr).toBe(0);
      const event = events.json().Events[0];
      expect(event.EventName).toBe('AssumeRole');
      expect(JSON.parse(event.CloudTrailEvent).requestParameters.roleSessionName).toBe('cli');
    },
    SLOW,
  );
});

describe.skipIf(!hasBoto3)('boto3', () => {
  it(
    'acts as the role: GetObject allowed, ListBucket denied with AWS’s text',
    async () => {
      const env = awsEnv(sandbox.endpoint);
      const roleArn = 'arn:aws:iam::000000000000:role/boto-role';
      const setup = await run(
        'python3',
        [
          '-c',
          `
import boto3, sys
iam = boto3.client('iam')
iam.create_role(RoleName='boto-role', AssumeRolePolicyDocument=sys.argv[1])
iam.put_role_policy(RoleName='boto-role', PolicyName='get', PolicyDocument=sys.argv[2])
s3 = boto3.client('s3')
s3.create_bucket(Bucket='course-data')
s3.put_object(Bucket='course-data', Key='train.csv', Body=b'x,y\\n1,2\\n')
`,
          trustRoot,
          policy([
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::course-data/*' },
            { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::course-data/out/*' },
          ]),
        ],
        env,
      );
      expect(setup.code, setup.stderr).toBe(0);
      const result = await run('python3', ['-c', BOTO3_AS_ROLE, roleArn], env);
      expect(result.code, result.stderr).toBe(0);
      const { url, ...out } = JSON.parse(result.stdout) as { url: string };
      // A presigned URL made with the role's credentials works, and only for what was signed.
      const presigned = await fetch(url);
      expect(presigned.status).toBe(200);
      expect(await presigned.text()).toBe('x,y\n1,2\n');
      const tampered = await fetch(url.replace('train.csv', 'other.csv'));
      expect(tampered.status).toBe(403);
      expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      expect(out).toEqual({
        whoami: 'arn:aws:sts::000000000000:assumed-role/boto-role/notebook',
        body: 'x,y\n1,2\n',
        put: 7000,
        list: [
          'AccessDenied',
          'User: arn:aws:sts::000000000000:assumed-role/boto-role/notebook is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::course-data" because no identity-based policy allows the s3:ListBucket action',
        ],
      });
    },
    SLOW,
  );
});
