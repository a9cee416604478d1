import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { permissionProbe, roleName } from './fragments.js';

export const iamRoleLeastPrivilege = defineCheckSpec({
  type: 'iam.role.leastPrivilege',
  summary:
    'The role holds no overly broad grants: no forbidden managed policies, no "*" actions on "*" resources, and the probes that must stay denied are denied.',
  with: z.strictObject({
    role: roleName,
    forbiddenPolicies: z
      .array(z.string().min(1))
      .default(['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess', 'AmazonS3FullAccess'])
      .describe('Managed policies (name or ARN) that must not be attached'),
    forbidWildcards: z
      .boolean()
      .default(true)
      .describe('Fail on Allow statements with Action "*" or "<service>:*" on Resource "*"'),
    mustDeny: z
      .array(permissionProbe)
      .default([])
      .describe('Access the role must not have, e.g. another bucket'),
  }),
});
