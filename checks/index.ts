/**
 * Every check type a lab may use, by name: the one list. The lab loader and the JSON Schema
 * read each type's spec (its name, summary and `with` schema), the engine its `run`. Each
 * check loads its heavier helpers (the IAM evaluator, JMESPath, the YAML template reader) only
 * when it runs, and reaches AWS through ctx.call, so loading this list loads no AWS client.
 */
import { awsCallCheck } from './aws.call.js';
import { cfnTemplateCheck } from './cfn.template.js';
import { cloudtrailEventsCheck } from './cloudtrail.events.js';
import { cloudtrailTrailCheck } from './cloudtrail.trail.js';
import type { CheckSpec, CheckType } from './define.js';
import { iacRoleCheck } from './iac.role.js';
import { iamRoleCanCheck } from './iam.role.can.js';
import { iamRoleExistsCheck } from './iam.role.exists.js';
import { iamRoleLeastPrivilegeCheck } from './iam.role.leastPrivilege.js';
import { iamRolePoliciesCheck } from './iam.role.policies.js';
import { iamRoleTrustsCheck } from './iam.role.trusts.js';
import { logsEventsCheck } from './logs.events.js';
import { quizCheck } from './quiz.js';
import { s3BucketExistsCheck } from './s3.bucket.exists.js';
import { s3ObjectsListCheck } from './s3.objects.list.js';
import { sagemakerNotebookCheck } from './sagemaker.notebook.js';
import { sagemakerTrainingJobCheck } from './sagemaker.trainingJob.js';
import { shellCheck } from './shell.js';

export const checkTypes: ReadonlyMap<string, CheckType> = new Map(
  [
    iamRoleExistsCheck,
    iamRoleTrustsCheck,
    iamRolePoliciesCheck,
    iamRoleCanCheck,
    iamRoleLeastPrivilegeCheck,
    s3BucketExistsCheck,
    s3ObjectsListCheck,
    sagemakerNotebookCheck,
    sagemakerTrainingJobCheck,
    logsEventsCheck,
    cloudtrailTrailCheck,
    cloudtrailEventsCheck,
    cfnTemplateCheck,
    iacRoleCheck,
    quizCheck,
    awsCallCheck,
    shellCheck,
  ].map((check): [string, CheckType] => [check.type, check]),
);

/** The same list, as the loader and the JSON Schema see it: specs only. */
export const checkSpecs: ReadonlyMap<string, CheckSpec> = checkTypes;
