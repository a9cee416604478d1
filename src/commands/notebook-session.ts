import { parsePolicyDocument } from '../../checks/iam/policy-document.js';
import { analyzeTrust } from '../../checks/iam/trust-policy.js';
import { AwsClients } from '../aws/clients.js';
import type { Connection } from '../aws/connect.js';
import { errorCode, firstLine } from '../aws/errors.js';
import { evaluateRequest } from '../iam/index.js';
import { serviceKeyFor } from '../sandbox/services/service-keys.js';

/**
 * A session of a notebook instance's execution role, as the notebook's own terminal has it.
 * SageMaker reads the notebook's role and assumes it; so does this:
 *
 * - on the sandbox, the sandbox itself assumes the role as sagemaker.amazonaws.com (a call signed
 *   with its SageMaker service key, src/sandbox/services/service-keys.ts): the trust policy
 *   decides, and CloudTrail records SageMaker assuming the role;
 * - on a LocalStack-compatible endpoint, which has no way to act as a service, labwright reads
 *   the trust policy itself and then makes a plain sts:AssumeRole with your credentials;
 * - on real AWS nobody but SageMaker can: the notebook's own terminal is the way (notebookTerminalHelp).
 */

export const SAGEMAKER = 'sagemaker.amazonaws.com';
/** The session name SageMaker gives a notebook's role session. */
const SESSION_NAME = 'SageMaker';

/** The notebook or its role is not ready for a session: one sentence saying what to do. */
export class NotebookSessionError extends Error {
  override name = 'NotebookSessionError';
}

export interface NotebookSession {
  notebook: string;
  roleArn: string;
  roleName: string;
  /** The session's ARN, assumed-role/<role>/SageMaker. */
  arn: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** `sagemaker`: assumed by the sandbox as SageMaker; `assume-role`: a plain AssumeRole. */
  issuedAs: 'sagemaker' | 'assume-role';
}

/** How long to wait for a Pending notebook to be InService (the sandbox takes a few seconds). */
const PENDING_WAIT_MS = 120_000;

export async function notebookSession(
  connection: Connection,
  notebook: string,
  options: { onWait?: (status: string) => void; pendingWaitMs?: number } = {},
): Promise<NotebookSession> {
  const { clients } = connection;
  const roleArn = await notebookRoleArn(clients, notebook, options);
  const roleName = roleArn.split('/').at(-1) ?? roleArn;
  await requireSageMakerTrust(clients, roleArn, roleName, connection.info.account);

  const target = connection.target;
  let out: {
    Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string };
    AssumedRoleUser?: { Arn?: string };
  };
  let issuedAs: NotebookSession['issuedAs'] = 'assume-role';
  let assumer = clients;
  const serviceKey = serviceKeyFor(SAGEMAKER);
  if (target.kind === 'sandbox' && serviceKey) {
    assumer = new AwsClients({
      ...target,
      credentials: { accessKeyId: serviceKey, secretAccessKey: 'labwright' },
    });
    issuedAs = 'sagemaker';
  }
  try {
    out = await assumer.call('sts', 'AssumeRole', {
      RoleArn: roleArn,
      RoleSessionName: SESSION_NAME,
    });
  } catch (error) {
    throw new NotebookSessionError(
      `SageMaker could not assume ${roleName} for notebook ${notebook}: ${firstLine((error as Error).message)}`,
    );
  } finally {
    if (assumer !== clients) assumer.destroy();
  }
  const credentials = out.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken)
    throw new NotebookSessionError(
      `the target's sts:AssumeRole returned no credentials for ${roleArn}`,
    );
  return {
    notebook,
    roleArn,
    roleName,
    arn: out.AssumedRoleUser?.Arn ?? roleArn,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    },
    issuedAs,
  };
}

/** The notebook's execution role, once the notebook is InService (waiting while it is Pending). */
async function notebookRoleArn(
  clients: AwsClients,
  notebook: string,
  options: { onWait?: (status: string) => void; pendingWaitMs?: number },
): Promise<string> {
  const deadline = Date.now() + (options.pendingWaitMs ?? PENDING_WAIT_MS);
  let told = false;
  for (;;) {
    let described: { RoleArn?: string; NotebookInstanceStatus?: string };
    try {
      described = await clients.call('sagemaker', 'DescribeNotebookInstance', {
        NotebookInstanceName: notebook,
      });
    } catch (error) {
      if (/ValidationException|ResourceNotFound/.test(errorCode(error))) {
        throw new NotebookSessionError(
          `there is no notebook instance named ${notebook} on this target: create it first (aws sagemaker create-notebook-instance), or name another (aws sagemaker list-notebook-instances)`,
        );
      }
      throw error;
    }
    const status = described.NotebookInstanceStatus ?? 'InService';
    if (status === 'InService' && described.RoleArn) return described.RoleArn;
    if (status !== 'Pending' || Date.now() > deadline) {
      throw new NotebookSessionError(
        status === 'Pending'
          ? `notebook ${notebook} is still Pending: try again once it is InService`
          : `notebook ${notebook} is ${status}, and only a running notebook has a terminal: start it with aws sagemaker start-notebook-instance --notebook-instance-name ${notebook}`,
      );
    }
    if (!told) options.onWait?.(status);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Refuses, naming the trust policy, a role SageMaker may not assume; and a role that is gone. */
async function requireSageMakerTrust(
  clients: AwsClients,
  roleArn: string,
  roleName: string,
  account: string,
): Promise<void> {
  let role: { Role?: { Arn?: string; AssumeRolePolicyDocument?: string } };
  try {
    role = await clients.call('iam', 'GetRole', { RoleName: roleName });
  } catch (error) {
    if (errorCode(error) === 'NoSuchEntity') {
      throw new NotebookSessionError(
        `the notebook's execution role ${roleName} does not exist (deleted since the notebook was created?): create it again, or give the notebook another role`,
      );
    }
    throw error;
  }
  const trust = parsePolicyDocument(role.Role?.AssumeRolePolicyDocument);
  const evaluation = await evaluateRequest({
    principalArn: SAGEMAKER,
    accountId: account,
    identityPolicies: [],
    resourcePolicy: trust,
    action: 'sts:AssumeRole',
    resource: role.Role?.Arn ?? roleArn,
  });
  if (evaluation.decision === 'allowed') return;
  const trusted = analyzeTrust(trust).services;
  throw new NotebookSessionError(
    `SageMaker cannot assume ${roleName}: its trust policy (AssumeRolePolicyDocument) does not allow ${SAGEMAKER} to call sts:AssumeRole${trusted.length ? ` (it trusts ${trusted.join(', ')})` : ''}. Give it a trust policy whose Principal is { "Service": "${SAGEMAKER}" }: aws iam update-assume-role-policy --role-name ${roleName} --policy-document file://files/trust-policy.json`,
  );
}

/** On real AWS: how to open the notebook's own terminal, where its role's session lives. */
export function notebookTerminalHelp(notebook: string, region: string): string[] {
  return [
    `On real AWS only SageMaker can give you ${notebook}'s role: use the notebook's own terminal.`,
    `  Console: https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/notebook-instances/${notebook}`,
    '           (Open JupyterLab, then File > New > Terminal)',
    `  Or a sign-in URL: aws sagemaker create-presigned-notebook-instance-url --notebook-instance-name ${notebook} --region ${region}`,
    "  In that terminal, `aws sts get-caller-identity` shows the role; run the lab's script there.",
  ];
}
