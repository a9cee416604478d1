import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { servicePrincipal } from './fragments.js';

export const cfnTemplate = defineCheckSpec({
  type: 'cfn.template',
  summary:
    "A CloudFormation template (the student's file) parses and defines an IAM role trusted by the service, with no overly broad grants.",
  with: z.strictObject({
    file: z
      .string()
      .min(1)
      .describe("Path to the student's template, relative to the working directory"),
    resourceType: z.string().default('AWS::IAM::Role'),
    trusts: servicePrincipal.optional().describe('The role must trust this service'),
    allow: z
      .array(z.strictObject({ action: z.string(), resource: z.string() }))
      .default([])
      .describe("Grants the role's inline policies must contain"),
    forbidWildcards: z.boolean().default(true),
    lint: z.boolean().default(false).describe('Also run cfn-lint when it is installed'),
  }),
});
