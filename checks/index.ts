import { awsCall } from './aws.call.js';
import { cfnTemplate } from './cfn.template.js';
import { cloudtrailEvents } from './cloudtrail.events.js';
import { cloudtrailTrail } from './cloudtrail.trail.js';
import type { CheckSpec } from './define.js';
import { iacRole } from './iac.role.js';
import { iamRoleCan } from './iam.role.can.js';
import { iamRoleExists } from './iam.role.exists.js';
import { iamRoleLeastPrivilege } from './iam.role.leastPrivilege.js';
import { iamRolePolicies } from './iam.role.policies.js';
import { iamRoleTrusts } from './iam.role.trusts.js';
import { logsEvents } from './logs.events.js';
import { quiz } from './quiz.js';
import { s3BucketExists } from './s3.bucket.exists.js';
import { s3ObjectsList } from './s3.objects.list.js';
import { sagemakerNotebook } from './sagemaker.notebook.js';
import { sagemakerTrainingJob } from './sagemaker.trainingJob.js';
import { shell } from './shell.js';

/** Every check type a lab may use, by name. */
export const checkSpecs: ReadonlyMap<string, CheckSpec> = new Map(
  [
    iamRoleExists,
    iamRoleTrusts,
    iamRolePolicies,
    iamRoleCan,
    iamRoleLeastPrivilege,
    s3BucketExists,
    s3ObjectsList,
    sagemakerNotebook,
    sagemakerTrainingJob,
    logsEvents,
    cloudtrailTrail,
    cloudtrailEvents,
    cfnTemplate,
    // Issue 17: the role as code, CloudFormation or Terraform (checks/iac.role.ts).
    iacRole,
    quiz,
    awsCall,
    shell,
  ].map((spec) => [spec.type, spec as CheckSpec]),
);
