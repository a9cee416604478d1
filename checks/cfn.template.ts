import * as z from 'zod';
import { runCfnLint } from './cfn/cfn-lint.js';
import { parseTemplate } from './cfn/parse-template.js';
import { templateRoles } from './cfn/template-roles.js';
import { defineCheckSpec, type CheckContext, type CheckOutcome, type CheckType } from './define.js';
import { describeFound, describeSearch, findStudentFile, type Found } from './iac/find-file.js';
import { describeRules, judgeRole, roleRules, type RoleRules } from './iac/judge-role.js';
import { errored, failed, passed, sentence } from './support/outcome.js';
import { readStudentFile, StudentFileError } from './support/student-file.js';
import { onTarget } from './support/target.js';

export const cfnTemplate = defineCheckSpec({
  type: 'cfn.template',
  summary:
    "A CloudFormation template (the student's file) parses and defines an IAM role trusted by the service, with no overly broad grants.",
  docs: {
    judges:
      "Reads the student's CloudFormation template (YAML or JSON, short-form intrinsics included) from the working folder, then the lab's workspace, without deploying it. It finds the IAM role resources and judges them as iac.role does: the trust policy, the grants asked for, and no overly broad ones; `lint: true` also runs cfn-lint when it is installed.",
    calls: [],
    example: {
      file: '${template}',
      trusts: 'sagemaker.amazonaws.com',
      allow: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::${bucket}/train.csv' }],
    },
  },
  with: z.strictObject({
    file: z
      .string()
      .min(1)
      .describe(
        "Path to the student's template, relative to the working directory (then the lab's workspace)",
      ),
    resourceType: z.string().default('AWS::IAM::Role'),
    ...roleRules,
    lint: z.boolean().default(false).describe('Also run cfn-lint when it is installed'),
  }),
});

/** What judging a template needs: the role rules, and the CloudFormation-only settings. */
export interface TemplateRules extends RoleRules {
  resourceType: string;
  lint: boolean;
}

/** Judges a template file that was found: parse, roles, the shared role judge, cfn-lint. */
export async function judgeTemplateFile(
  found: Found,
  file: string,
  input: TemplateRules,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const where = found.from === 'working directory' ? file : `${file} (${describeFound(found)})`;
  let text: string;
  try {
    text = readStudentFile(found.path, found.base, file);
  } catch (error) {
    // A link out of the folder, a FIFO, a huge file: an error naming it, never its content.
    if (error instanceof StudentFileError) return errored(error.message, { file });
    return errored(`cannot read ${found.path}: ${(error as Error).message}`);
  }
  const parsed = parseTemplate(text, file);
  if (!parsed.ok) {
    return failed(
      `${where} does not parse: ${parsed.problems.join('; ')}`,
      { file: found.path, problems: parsed.problems },
      { retryable: false },
    );
  }
  const roles = await templateRoles(parsed.template, input.resourceType, ctx);
  const lint = input.lint ? await runCfnLint(found.path, ctx.signal) : undefined;
  const lintErrors = lint?.ran ? lint.findings.filter((f) => f.rule.startsWith('E')) : [];
  const evidence = {
    kind: 'cloudformation',
    file: found.path,
    from: found.from,
    resources: roles.map((r) => ({
      logicalId: r.logicalId,
      trustPolicy: r.role.trustPolicy,
      inlinePolicies: r.role.inline.map((p) => p.name),
      managedPolicies: r.role.managed.map((p) => p.arn),
    })),
    ...(lint ? { lint: lint.ran ? lint.findings.slice(0, 20) : lint.reason } : {}),
  };
  const lintNote = !lint
    ? ''
    : !lint.ran
      ? `; ${lint.reason}, so it was not run`
      : lint.findings.length === 0
        ? '; cfn-lint finds nothing to fix'
        : `; cfn-lint: ${lint.findings
            .slice(0, 5)
            .map((f) => `${f.rule} at line ${f.line}: ${f.message}`)
            .join('; ')}`;
  if (roles.length === 0) {
    return failed(`${where} defines no ${input.resourceType} resource${lintNote}`, evidence, {
      retryable: false,
    });
  }
  const judged = await Promise.all(
    roles.map(async (r) => ({
      r,
      ...(await judgeRole({ label: r.logicalId, role: r.role, unreadable: r.unreadable }, input)),
    })),
  );
  const unsound = [...new Set(judged.flatMap((j) => j.unsound))];
  if (unsound.length > 0) {
    return errored(`the lab's grants cannot be evaluated: ${unsound.join('; ')}`, evidence);
  }
  const good = judged.find((j) => j.problems.length === 0);
  if (!good) {
    return failed(`${where}: ${sentence(judged.flatMap((j) => j.problems))}${lintNote}`, evidence, {
      retryable: false,
    });
  }
  if (lintErrors.length > 0) {
    return failed(
      `${where} defines ${good.r.logicalId} well, but cfn-lint reports errors${lintNote}`,
      evidence,
      { retryable: false },
    );
  }
  const what = describeRules(input);
  return passed(
    `${where} defines ${good.r.logicalId} (${input.resourceType})${what ? `, ${what}` : ''}${lintNote}`,
    evidence,
  );
}

export const cfnTemplateCheck: CheckType<typeof cfnTemplate.with> = onTarget({
  ...cfnTemplate,
  async run(input, ctx) {
    const found = await findStudentFile(input.file, ctx);
    if (!found) {
      return failed(
        `no template at ${input.file} (looked in ${describeSearch(ctx)})`,
        { file: input.file, cwd: ctx.cwd },
        { retryable: false },
      );
    }
    return judgeTemplateFile(found, input.file, input, ctx);
  },
});
