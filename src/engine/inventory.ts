import type { AwsClients } from '../aws/clients.js';
import { isUnsupportedOperation } from '../aws/errors.js';
import type { ServiceName } from '../service-names.js';

/**
 * What an account holds, as far as a lab can leave it behind: named resources per kind, listed
 * through the same calls on every target. `labwright test` lists them before a lab is solved
 * and after its cleanup; anything new is what the cleanup forgot.
 *
 * Left out on purpose: what AWS keeps after deletion or never lets you delete (a finished
 * training job, CloudTrail events, a KMS key pending deletion: its alias is listed instead), and log groups under /aws/, which AWS services create and
 * share between every job in the account.
 */

interface Listing {
  kind: string;
  service: ServiceName;
  operation: string;
  input: Record<string, unknown>;
  /** The names in one page of the answer. */
  names(output: Record<string, unknown>): string[];
}

const LISTINGS: readonly Listing[] = [
  {
    kind: 'IAM role',
    service: 'iam',
    operation: 'ListRoles',
    input: { MaxItems: 1000 },
    names: (out) => field(out.Roles, 'RoleName'),
  },
  {
    kind: 'IAM customer managed policy',
    service: 'iam',
    operation: 'ListPolicies',
    input: { Scope: 'Local', MaxItems: 1000 },
    names: (out) => field(out.Policies, 'PolicyName'),
  },
  {
    kind: 'S3 bucket',
    service: 's3',
    operation: 'ListBuckets',
    input: {},
    names: (out) => field(out.Buckets, 'Name'),
  },
  {
    kind: 'SageMaker notebook instance',
    service: 'sagemaker',
    operation: 'ListNotebookInstances',
    input: { MaxResults: 100 },
    names: (out) => field(out.NotebookInstances, 'NotebookInstanceName'),
  },
  {
    kind: 'running SageMaker training job',
    service: 'sagemaker',
    operation: 'ListTrainingJobs',
    input: { MaxResults: 100, StatusEquals: 'InProgress' },
    names: (out) => field(out.TrainingJobSummaries, 'TrainingJobName'),
  },
  {
    kind: 'CloudTrail trail',
    service: 'cloudtrail',
    operation: 'DescribeTrails',
    input: {},
    names: (out) => field(out.trailList, 'Name'),
  },
  {
    // Keys are never deleted at once (a cleanup schedules their deletion): their aliases are
    // what a cleanup must remove, and AWS's own (alias/aws/...) are not the lab's.
    kind: 'KMS alias',
    service: 'kms',
    operation: 'ListAliases',
    input: { Limit: 100 },
    names: (out) =>
      field(out.Aliases, 'AliasName').filter((name) => !name.startsWith('alias/aws/')),
  },
  {
    kind: 'CloudWatch log group',
    service: 'logs',
    operation: 'DescribeLogGroups',
    input: {},
    names: (out) =>
      field(out.logGroups, 'logGroupName').filter((name) => !name.startsWith('/aws/')),
  },
];

export interface Inventory {
  /** `kind: name` for each resource found. */
  resources: ReadonlySet<string>;
  /** Listings the target does not implement, so nothing of that kind was compared. */
  unlisted: readonly string[];
}

export async function takeInventory(clients: AwsClients): Promise<Inventory> {
  const resources = new Set<string>();
  const unlisted: string[] = [];
  for (const listing of LISTINGS) {
    try {
      const output = await clients.call(listing.service, listing.operation, {
        ...listing.input,
      });
      for (const name of listing.names(output)) resources.add(`${listing.kind}: ${name}`);
    } catch (error) {
      if (!isUnsupportedOperation(error)) throw error;
      unlisted.push(`${listing.service}:${listing.operation}`);
    }
  }
  return { resources, unlisted };
}

/** What `after` holds that `before` did not. */
export function leftBehind(before: Inventory, after: Inventory): string[] {
  return [...after.resources].filter((resource) => !before.resources.has(resource)).sort();
}

function field(list: unknown, key: string): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((item) => (item as Record<string, unknown> | null)?.[key])
    .filter((name): name is string => typeof name === 'string');
}
