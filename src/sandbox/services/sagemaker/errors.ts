/** SageMaker's errors, worded as SageMaker words them. */
import { AwsError } from '../../types.js';
import { constraint, validationError } from '../errors.js';

export const validation = (message: string) => new AwsError('ValidationException', message);

export const invalidMember = (member: string, value: unknown, must: string) =>
  validationError(member, value, must, 'ValidationException');

export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
export const RESOURCE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export const invalidRoleArn = (roleArn: string) =>
  invalidMember(
    'roleArn',
    roleArn,
    constraint.pattern('^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$'),
  );

/** What DescribeNotebookInstance and the other notebook calls say of a name that is not there. */
export const notebookNotFound = () => validation('RecordNotFound');

export const trainingJobNotFound = () => validation('Requested resource not found.');

export const duplicateNotebook = (arn: string) =>
  new AwsError('ResourceInUse', `Cannot create a duplicate Notebook Instance (${arn})`);

export const duplicateTrainingJob = (arn: string) =>
  new AwsError(
    'ResourceInUse',
    `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn})`,
  );

export const roleNotAssumable = (roleArn: string, kind: 'notebook' | 'job', principal: string) =>
  validation(
    kind === 'notebook'
      ? `The execution role ARN "${roleArn}" is invalid. Please ensure that the role exists and that its trust relationship policy allows the action "sts:AssumeRole" for the service principal "${principal}".`
      : `Could not assume role ${roleArn}. Please ensure that the role exists and allows principal '${principal}' to assume the role.`,
  );
