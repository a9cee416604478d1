import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { roleNameOf, sameRole } from './iam/role-ref.js';
import { isAwsError } from './support/aws-error.js';
import { failed, failedForGood, inProgress, passed, sentence } from './support/outcome.js';
import { callTarget, onTarget } from './support/target.js';
import { roleName } from './fragments.js';

const notebookStatus = z.enum([
  'Pending',
  'InService',
  'Stopping',
  'Stopped',
  'Failed',
  'Deleting',
  'Updating',
]);

export const sagemakerNotebook = defineCheckSpec({
  type: 'sagemaker.notebook',
  summary:
    'The notebook instance exists, uses the given execution role, and is in one of the given states.',
  docs: {
    judges:
      'Describes the notebook instance: it must exist, use the given execution role (by name or ARN), be in one of the `status` states and, when given, of `instanceType`.',
    calls: ['sagemaker:DescribeNotebookInstance'],
    example: { name: '${notebook}', role: '${roleName}', status: ['Pending', 'InService'] },
  },
  with: z.strictObject({
    name: z.string().min(1).max(63).describe('Notebook instance name'),
    role: roleName.optional().describe('The execution role it must use'),
    status: z.array(notebookStatus).default(['Pending', 'InService']).describe('Acceptable states'),
    instanceType: z.string().optional(),
  }),
});

/** Where a notebook in a passing state goes next: waiting helps only if one of them is accepted. */
const NEXT_STATES: Readonly<Record<string, readonly string[]>> = {
  Pending: ['InService', 'Failed'],
  Stopping: ['Stopped'],
  Updating: ['Stopped', 'InService'],
  Deleting: [],
};

interface DescribeNotebookOutput {
  NotebookInstanceName?: string;
  NotebookInstanceStatus?: string;
  RoleArn?: string;
  InstanceType?: string;
  FailureReason?: string;
}

export const sagemakerNotebookCheck: CheckType<typeof sagemakerNotebook.with> = onTarget({
  ...sagemakerNotebook,
  async run(input, ctx) {
    let notebook: DescribeNotebookOutput | undefined;
    try {
      notebook = await callTarget<DescribeNotebookOutput>(
        ctx,
        'sagemaker',
        'DescribeNotebookInstance',
        { NotebookInstanceName: input.name },
      );
    } catch (error) {
      // SageMaker answers a missing record with ValidationException "RecordNotFound".
      if (!isAwsError(error, 'ValidationException', 'ResourceNotFound', 'RecordNotFound')) {
        throw error;
      }
    }
    // Another notebook's description is not this one's.
    const named = notebook?.NotebookInstanceName;
    if (!notebook || (named !== undefined && named !== input.name)) {
      return failed(
        `no notebook instance named ${input.name} in ${ctx.target.region} (account ${ctx.target.account})`,
        { name: input.name, region: ctx.target.region },
      );
    }
    const status = notebook.NotebookInstanceStatus ?? 'unknown';
    const evidence = {
      name: input.name,
      status,
      roleArn: notebook.RoleArn,
      instanceType: notebook.InstanceType,
      ...(notebook.FailureReason ? { failureReason: notebook.FailureReason } : {}),
    };
    const problems: string[] = [];
    const roleWrong =
      input.role !== undefined && !(notebook.RoleArn && sameRole(notebook.RoleArn, input.role));
    if (input.role !== undefined && roleWrong) {
      problems.push(
        `the notebook ${input.name} uses the role ${notebook.RoleArn ? roleNameOf(notebook.RoleArn) : '(none)'}, not ${roleNameOf(input.role)}`,
      );
    }
    const accepted = input.status as string[];
    const statusWrong = !accepted.includes(status);
    if (statusWrong) {
      const why = notebook.FailureReason ? ` (${notebook.FailureReason})` : '';
      problems.push(
        `the notebook ${input.name} is ${status}${why}; expected ${input.status.join(' or ')}`,
      );
    }
    const typeWrong = !!input.instanceType && notebook.InstanceType !== input.instanceType;
    if (typeWrong) {
      problems.push(
        `the notebook ${input.name} runs on ${notebook.InstanceType ?? 'an unknown instance type'}, not ${input.instanceType}`,
      );
    }
    if (problems.length === 0) {
      const role = notebook.RoleArn ? ` with the role ${roleNameOf(notebook.RoleArn)}` : '';
      return passed(`the notebook ${input.name} is ${status}${role}`, evidence);
    }
    // Only the state can change by itself, and only towards the states it is moving to.
    const moving = (NEXT_STATES[status] ?? []).some((next) => accepted.includes(next));
    if (statusWrong && moving && !roleWrong && !typeWrong) {
      return inProgress(
        sentence(problems),
        { what: `notebook ${input.name}`, state: status },
        evidence,
      );
    }
    if (status === 'Failed') return failedForGood(sentence(problems), evidence);
    return failed(sentence(problems), evidence);
  },
});
