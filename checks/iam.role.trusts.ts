import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { roleName, servicePrincipal } from './fragments.js';

export const iamRoleTrusts = defineCheckSpec({
  type: 'iam.role.trusts',
  summary:
    "The role's trust policy lets the given service assume it, and lets nobody else assume it unless allowed.",
  with: z.strictObject({
    role: roleName,
    service: servicePrincipal.describe('The service that must be able to assume the role'),
    exclusive: z
      .boolean()
      .default(true)
      .describe('Fail when principals other than the service may also assume the role'),
  }),
});
