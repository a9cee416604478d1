import * as z from 'zod';
import { defineCheckSpec, type CheckContext, type CheckOutcome, type CheckType } from './define.js';
import { describeSearch, findStudentFile, type Found } from './iac/find-file.js';
import { roleRules } from './iac/judge-role.js';
import { isTerraform } from './terraform/config.js';
import { errored, failed } from './support/outcome.js';
import { onTarget } from './support/target.js';

export const iacRole = defineCheckSpec({
  type: 'iac.role',
  summary:
    "The student's infrastructure as code (a CloudFormation template or a Terraform configuration) defines an IAM role trusted by the service, with the grants asked for and no overly broad ones, judged by effect.",
  docs: {
    judges:
      "Reads the student's infrastructure as code, a CloudFormation template or a Terraform configuration (a .tf file or a folder of them; `var.` and `local.` values from their defaults and terraform.tfvars), without deploying it, and judges the IAM role it defines by effect: trusted by the service alone, allowing each probe in `allow`, and no overly broad grants. What only `terraform apply` could know is reported as not judgeable, with where it is.",
    calls: [],
    example: {
      template: '${template}',
      terraform: '${terraform}',
      trusts: 'sagemaker.amazonaws.com',
      allow: [{ action: 's3:ListBucket', resource: 'arn:aws:s3:::${bucket}' }],
    },
  },
  with: z
    .strictObject({
      template: z
        .string()
        .min(1)
        .optional()
        .describe(
          'A CloudFormation template, relative to the working directory (then the workspace)',
        ),
      terraform: z
        .string()
        .min(1)
        .optional()
        .describe(
          'A Terraform configuration: a .tf file, or a folder of them, relative to the working directory (then the workspace)',
        ),
      resourceType: z
        .string()
        .default('AWS::IAM::Role')
        .describe('The CloudFormation resource type of the role'),
      ...roleRules,
      lint: z.boolean().default(false).describe('Also run cfn-lint on a template when installed'),
    })
    .refine((w) => w.template !== undefined || w.terraform !== undefined, {
      message: 'name a template, a terraform configuration, or both',
    }),
});

type Input = z.output<typeof iacRole.with>;

async function judge(
  kind: 'template' | 'terraform',
  found: Found,
  name: string,
  input: Input,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  // Each reader loads only when its kind of file is there: the Terraform parser is a
  // WebAssembly module that takes a few hundred milliseconds to start.
  if (kind === 'template') {
    const { judgeTemplateFile } = await import('./cfn.template.js');
    return judgeTemplateFile(found, name, input, ctx);
  }
  const { judgeTerraform } = await import('./terraform/judge.js');
  return judgeTerraform(found, name, input, ctx);
}

export const iacRoleCheck: CheckType<typeof iacRole.with> = onTarget({
  ...iacRole,
  async run(input, ctx) {
    const wanted = [
      ...(input.template ? [{ kind: 'template' as const, name: input.template }] : []),
      ...(input.terraform ? [{ kind: 'terraform' as const, name: input.terraform }] : []),
    ];
    const found = (
      await Promise.all(
        wanted.map(async (w) => ({
          ...w,
          found: await findStudentFile(
            w.name,
            ctx,
            w.kind === 'terraform' ? { accepts: isTerraform } : {},
          ),
        })),
      )
    ).filter((f): f is typeof f & { found: Found } => f.found !== undefined);
    if (found.length === 0) {
      const what = wanted
        .map((w) =>
          w.kind === 'template'
            ? `no CloudFormation template at ${w.name}`
            : `no Terraform configuration at ${w.name}`,
        )
        .join(' and ');
      return failed(
        `${what} (looked in ${describeSearch(ctx)})`,
        { template: input.template, terraform: input.terraform, cwd: ctx.cwd },
        { retryable: false },
      );
    }
    const outcomes = await Promise.all(
      found.map((f) => judge(f.kind, f.found, f.name, input, ctx)),
    );
    if (outcomes.length === 1) return outcomes[0]!;
    // Both written: either one that passes is the student's answer; say what the other lacks.
    const pass = outcomes.find((o) => o.status === 'passed');
    const others = outcomes.filter((o) => o !== pass);
    const evidence = { judged: outcomes.map((o) => o.evidence ?? {}) };
    if (pass) {
      return {
        ...pass,
        message: `${pass.message} (also: ${others.map((o) => o.message).join('; ')})`,
        evidence,
      };
    }
    const message = outcomes.map((o) => o.message).join('; and ');
    return outcomes.some((o) => o.status === 'error')
      ? errored(message, evidence)
      : failed(message, evidence, { retryable: false });
  },
});
